import { postgresBudget, PostgresSizing } from "../data/budget";
import { Budget, sumBudgets } from "../platform/sizing";
import { appTierBudget, AppTierSizing } from "./budget";

/**
 * What a tier's namespace must admit at peak, computed from settings alone: the TierUnit's quota
 * and the validation of an explicit quota (components/config) read the same numbers.
 */

/** What a unit's budget counts: the app and, when the tier has one, its database. */
export interface TierUnitSizing {
    app: AppTierSizing;
    database?: PostgresSizing;
}

/** The tier's namespace at peak: what the app and its database declare they need. */
export function tierUnitBudget(sizing: TierUnitSizing): Budget {
    return sumBudgets([appTierBudget(sizing.app), ...(sizing.database ? [postgresBudget(sizing.database)] : [])]);
}
