import * as policySdk from "@pulumi/policy";

/**
 * @pulumi/policy 1.21.0 exports `UnknownValueError` at runtime, but its published typings strip it as
 * internal; this module types it once.
 */
const runtimeExports = policySdk as unknown as { UnknownValueError: new (...args: never[]) => Error };

/** The error the SDK's props proxy throws when a policy reads a value unknown during preview. */
export function isUnknownValueError(error: unknown): error is Error {
    return error instanceof runtimeExports.UnknownValueError;
}
