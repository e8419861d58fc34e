/**
 * What a generated Pulumi Node.js SDK package (e.g. @pulumi/random) sends the engine for each of its
 * resources, read from the package's own files: the type token, the input and output property
 * names, and which of them it marks secret. A provider plugin is right for the SDK when its package
 * schema agrees on all of these (`schemaDifferences`).
 *
 * Names come from the type declarations (the resource class's outputs, its `<Name>Args` inputs);
 * the token and the secrets only exist in the JavaScript the SDK runs (`__pulumiType`,
 * `pulumi.secret(args.<input>)`, `additionalSecretOutputs`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

export interface SdkResource {
    token: string;
    /** The class name, for messages. */
    name: string;
    inputs: string[];
    outputs: string[];
    secretInputs: string[];
    secretOutputs: string[];
}

/** The part of a Pulumi package schema this check reads. */
export interface PackageSchema {
    resources?: Record<string, { inputProperties?: Record<string, { secret?: boolean }>; properties?: Record<string, { secret?: boolean }> }>;
}

/** Every custom resource the SDK package in `packageDir` defines (top-level modules), sorted by token. */
export function readSdkResources(packageDir: string): SdkResource[] {
    const resources = fs
        .readdirSync(packageDir)
        .filter((file) => file.endsWith(".d.ts"))
        .flatMap((file) => resourcesOfModule(packageDir, file.slice(0, -".d.ts".length)));
    return resources.sort((a, b) => a.token.localeCompare(b.token));
}

/** The module's resource class, if it has one: generated SDKs put one resource in each module. */
function resourcesOfModule(packageDir: string, module: string): SdkResource[] {
    const declarations = ts.createSourceFile(`${module}.d.ts`, fs.readFileSync(path.join(packageDir, `${module}.d.ts`), "utf8"), ts.ScriptTarget.Latest, true);
    const classes = declarations.statements.filter(ts.isClassDeclaration).filter(isCustomResource);
    if (classes.length === 0) {
        return [];
    }
    if (classes.length > 1) {
        throw new Error(`${module}.d.ts in ${packageDir} declares ${classes.length} resources; generated SDKs declare one per module`);
    }
    const [declaration] = classes;
    const name = declaration.name?.text ?? "";
    const javascript = fs.readFileSync(path.join(packageDir, `${module}.js`), "utf8");
    const token = /static __pulumiType = '([^']+)'/.exec(javascript)?.[1];
    if (!token) {
        throw new Error(`${module}.js in ${packageDir} names no __pulumiType for ${name}`);
    }
    const argsInterface = declarations.statements.filter(ts.isInterfaceDeclaration).find((candidate) => candidate.name.text === `${name}Args`);
    const secretOutputList = /additionalSecretOutputs: \[([^\]]*)\]/.exec(javascript)?.[1] ?? "";
    return [
        {
            token,
            name,
            inputs: (argsInterface?.members ?? []).map(memberName).sort(),
            outputs: declaration.members.filter(isOutputProperty).map(memberName).sort(),
            secretInputs: [...javascript.matchAll(/resourceInputs\["(\w+)"\] = args\?\.\w+ \? pulumi\.secret\(/g)].map((match) => match[1]).sort(),
            secretOutputs: [...secretOutputList.matchAll(/"(\w+)"/g)].map((match) => match[1]).sort(),
        },
    ];
}

function isCustomResource(declaration: ts.ClassDeclaration): boolean {
    return (declaration.heritageClauses ?? []).some((clause) => clause.types.some((type) => type.expression.getText(declaration.getSourceFile()) === "pulumi.CustomResource"));
}

/** The declared outputs: readonly instance properties (`urn` and `id` are inherited, not declared). */
function isOutputProperty(member: ts.ClassElement): boolean {
    const modifiers = ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : [];
    return (
        ts.isPropertyDeclaration(member) &&
        modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.ReadonlyKeyword) &&
        !modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword)
    );
}

function memberName(member: ts.ClassElement | ts.TypeElement): string {
    const name = member.name;
    if (!name || !(ts.isIdentifier(name) || ts.isStringLiteral(name))) {
        throw new Error(`a member without a plain name: ${name?.getText() ?? "(none)"}`);
    }
    return name.text;
}

/**
 * Where a provider's package schema disagrees with the SDK: one line per difference, none when
 * every SDK resource is there under its token with the same inputs, outputs and secrets, and the
 * schema has no resource the SDK lacks.
 */
export function schemaDifferences(sdk: readonly SdkResource[], schema: PackageSchema): string[] {
    const schemaResources = schema.resources ?? {};
    const differences: string[] = [];
    for (const resource of sdk) {
        const spec = schemaResources[resource.token];
        if (!spec) {
            differences.push(`${resource.token} (${resource.name}): not in the provider's schema`);
            continue;
        }
        const inputs = spec.inputProperties ?? {};
        const outputs = spec.properties ?? {};
        const secret = (properties: Record<string, { secret?: boolean }>) => Object.keys(properties).filter((name) => properties[name].secret === true);
        const comparisons: [string, readonly string[], string[]][] = [
            ["inputs", resource.inputs, Object.keys(inputs)],
            ["outputs", resource.outputs, Object.keys(outputs)],
            ["secret inputs", resource.secretInputs, secret(inputs)],
            ["secret outputs", resource.secretOutputs, secret(outputs)],
        ];
        for (const [what, inSdk, inSchema] of comparisons) {
            const onlySdk = inSdk.filter((name) => !inSchema.includes(name));
            const onlySchema = inSchema.filter((name) => !inSdk.includes(name));
            if (onlySdk.length > 0) {
                differences.push(`${resource.token}: ${what} only the SDK has: ${onlySdk.join(", ")}`);
            }
            if (onlySchema.length > 0) {
                differences.push(`${resource.token}: ${what} only the provider has: ${onlySchema.join(", ")}`);
            }
        }
    }
    const known = new Set(sdk.map((resource) => resource.token));
    for (const token of Object.keys(schemaResources).filter((candidate) => !known.has(candidate))) {
        differences.push(`${token}: in the provider's schema, not in the SDK`);
    }
    return differences;
}
