export { Edge, EdgeArgs, EdgeSettings, PublicTier, TierIngressSettings } from "./edge";
