import { PolicyPack } from "@pulumi/policy";
import { PACK_ARGS, PACK_NAME } from "./policies";

new PolicyPack(PACK_NAME, PACK_ARGS);
