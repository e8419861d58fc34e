/**
 * Groundwork's STAND-IN for the Pulumi random provider plugin (resource-random): not the real pulumi-resource-random,
 * which cannot be built on our machines. It implements only RandomPassword, the way the real plugin's upstream,
 * terraform-provider-random's random_password, does: same inputs, defaults, character classes and validation, result
 * and bcryptHash as secrets, and a new password whenever any input changes.
 *
 * Run as a plugin (the toolchain's launcher does): node -r ts-node/register/transpile-only random.ts [engine address]
 */
import { randomBytes, randomInt } from "node:crypto";
import * as provider from "@pulumi/pulumi/provider";
import bcrypt from "bcryptjs";
import { CheckOutcome, InputValidator, PropertyMap, StandInProvider, StandInResource } from "./provider-base";

export const RANDOM_PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";

export const UPPER_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const LOWER_CHARACTERS = "abcdefghijklmnopqrstuvwxyz";
export const NUMERIC_CHARACTERS = "0123456789";
/** Upstream's special characters, unless overrideSpecial replaces them. */
export const DEFAULT_SPECIAL_CHARACTERS = "!@#$%&*()-_=+[]{}<>:?";

/** Go's golang.org/x/crypto/bcrypt default cost, which upstream uses. */
const BCRYPT_COST = 10;

/** What decides the characters of a password: the RandomPassword inputs of that name, after check's defaults. */
export interface PasswordPolicy {
    length: number;
    upper: boolean;
    lower: boolean;
    numeric: boolean;
    special: boolean;
    minUpper: number;
    minLower: number;
    minNumeric: number;
    minSpecial: number;
    overrideSpecial?: string;
}

/** The SDK's RandomPasswordArgs after check: every default applied, `number` kept equal to `numeric`. */
interface RandomPasswordInputs extends PasswordPolicy {
    number: boolean;
    keepers?: Record<string, string>;
}

function draw(characters: readonly string[], count: number): string[] {
    return Array.from({ length: count }, () => characters[randomInt(characters.length)]);
}

/** Fisher-Yates with crypto.randomInt: every order equally likely. */
function shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index--) {
        const other = randomInt(index + 1);
        [items[index], items[other]] = [items[other], items[index]];
    }
    return items;
}

/**
 * Draws a password as upstream does: each class's minimum from that class, then the rest of the length from the
 * enabled classes together, in a random order. As upstream, a minimum applies even to a class that is not enabled,
 * and characters are code points, so a multi-byte overrideSpecial character counts once toward the length.
 */
export function generatePassword(policy: PasswordPolicy): string {
    const classes = [
        { characters: Array.from(UPPER_CHARACTERS), enabled: policy.upper, minimum: policy.minUpper },
        { characters: Array.from(LOWER_CHARACTERS), enabled: policy.lower, minimum: policy.minLower },
        { characters: Array.from(NUMERIC_CHARACTERS), enabled: policy.numeric, minimum: policy.minNumeric },
        // Upstream treats an empty overrideSpecial as absent.
        { characters: Array.from(policy.overrideSpecial || DEFAULT_SPECIAL_CHARACTERS), enabled: policy.special, minimum: policy.minSpecial },
    ];
    const minimums = classes.flatMap((characterClass) => draw(characterClass.characters, characterClass.minimum));
    const pool = classes.filter((characterClass) => characterClass.enabled).flatMap((characterClass) => characterClass.characters);
    return shuffle([...minimums, ...draw(pool, policy.length - minimums.length)]).join("");
}

/**
 * A bcrypt hash like upstream's: Go's bcrypt writes the `$2a$` version and hashes only the first 72 bytes, which
 * bcryptjs does too.
 */
function bcryptHashOf(password: string): string {
    const salt = `$2a$${BCRYPT_COST}$${bcrypt.encodeBase64(randomBytes(16), 16)}`;
    return bcrypt.hashSync(password, salt);
}

function checkRandomPassword(inputs: PropertyMap): CheckOutcome {
    const validator = new InputValidator(inputs);
    validator.require("length");
    const length = validator.integer("length", 1);
    // An absent minimum is 0; one not known yet leaves the sum to the check before create.
    const minimums = ["minUpper", "minLower", "minNumeric", "minSpecial"].map((name) => validator.integer(name, 0) ?? (validator.isUnknown(name) ? undefined : 0));
    const [upper, lower, numeric, number, special] = ["upper", "lower", "numeric", "number", "special"].map((name) => validator.boolean(name));
    validator.string("overrideSpecial");
    validator.stringMap("keepers");

    const knownMinimums = minimums.filter((minimum): minimum is number => minimum !== undefined);
    if (length !== undefined && knownMinimums.length === minimums.length) {
        const sum = knownMinimums.reduce((total, minimum) => total + minimum, 0);
        if (sum > length) {
            validator.fail("length", `is ${length}, less than minUpper + minLower + minNumeric + minSpecial = ${sum}: raise length or lower the minimums`);
        }
    }
    if (number !== undefined && numeric !== undefined && number !== numeric) {
        validator.fail("number", "is a deprecated alias of numeric, and the two are set to different values: set only numeric");
    }
    // Absent flags default to true and flags not known yet may turn out true: only flags known to be false count.
    const numericFlag = validator.isUnknown("numeric") ? undefined : (numeric ?? number);
    if ([upper, lower, numericFlag, special].every((flag) => flag === false)) {
        validator.fail("numeric", "upper, lower, numeric and special are all false, which leaves no characters to draw from: set at least one of them to true");
    }

    return {
        defaults: {
            upper: true,
            lower: true,
            special: true,
            // Upstream keeps the deprecated `number` and `numeric` equal: either one set gives the other its value.
            numeric: inputs.number ?? true,
            number: inputs.numeric ?? true,
            minUpper: 0,
            minLower: 0,
            minNumeric: 0,
            minSpecial: 0,
        },
        failures: validator.failures,
    };
}

const randomPassword: StandInResource<RandomPasswordInputs> = {
    inputProperties: ["keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper", "number", "numeric", "overrideSpecial", "special", "upper"],
    secretProperties: ["result", "bcryptHash"],
    check: checkRandomPassword,
    async create(inputs) {
        const result = generatePassword(inputs);
        // Upstream's id for every password: the state, not the id, identifies it.
        return { id: "none", outputs: { result, bcryptHash: bcryptHashOf(result) } };
    },
};

/** The stand-in random provider: RandomPassword only. */
export class RandomStandInProvider extends StandInProvider {
    constructor() {
        super("random", { [RANDOM_PASSWORD_TYPE]: randomPassword });
    }
}

if (require.main === module) {
    provider.main(new RandomStandInProvider(), process.argv.slice(2));
}
