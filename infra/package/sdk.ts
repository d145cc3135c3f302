// `npm run sdk`: regenerates the committed .NET SDK (sdk/dotnet) from package/schema.json with
// `pulumi package gen-sdk --language dotnet`. Needs the Pulumi CLI (.tools/bin, `npm run e2e:tools`), the
// pulumi-language-dotnet plugin on PATH (the generator) and the kubernetes provider plugin (the schema refers to
// its Provider type). The generator downloads the schema's logo: it is served here, on 127.0.0.1, for the run.
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";

const projectDir = path.resolve(__dirname, "..", "..");
export const committedSdk = path.join(projectDir, "sdk", "dotnet");

/** A 1×1 transparent PNG: the package has no logo of its own, and the generator wants one. */
const logo = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

export interface SdkTools {
    /** The pulumi CLI to run. */
    readonly pulumi: string;
    /** PATH for it: where pulumi-language-dotnet and the kubernetes plugin are found. */
    readonly path: string;
    /** PULUMI_HOME for it. */
    readonly home?: string;
}

/** What is missing to generate, as one message per tool with how to get it; empty when all is there. */
export function missingSdkTools(tools: SdkTools): string[] {
    const onPath = (binary: string) => tools.path.split(path.delimiter).some((dir) => dir !== "" && fs.existsSync(path.join(dir, binary)));
    return [
        ...(fs.existsSync(tools.pulumi) ? [] : [`pulumi: ${tools.pulumi} does not exist; run \`npm run e2e:tools\``]),
        ...(onPath("pulumi-language-dotnet") ? [] : ["pulumi-language-dotnet: not on PATH; it is the .NET SDK generator, a Go program in pulumi/pulumi-dotnet (directory pulumi-language-dotnet): build it and put it on PATH"]),
    ];
}

/** Generates the .NET SDK into `outDir` (replaced) and returns it. */
export async function generateDotnetSdk(tools: SdkTools, outDir: string): Promise<string> {
    const missing = missingSdkTools(tools);
    if (missing.length > 0) throw new Error(`cannot generate the .NET SDK:\n- ${missing.join("\n- ")}`);
    const server = http.createServer((_request, response) => response.writeHead(200, { "content-type": "image/png" }).end(logo));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ambient-spire-sdk-"));
    try {
        const schema = JSON.parse(fs.readFileSync(path.join(projectDir, "package", "schema.json"), "utf8")) as Record<string, unknown>;
        const schemaFile = path.join(work, "schema.json");
        fs.writeFileSync(schemaFile, JSON.stringify({ ...schema, logoUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/logo.png` }));
        const env = { ...process.env, PATH: tools.path, PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true", ...(tools.home ? { PULUMI_HOME: tools.home } : {}) };
        await new Promise<void>((resolve, reject) => {
            // Asynchronous, so this process can serve the logo while the generator fetches it.
            const child = spawn(tools.pulumi, ["package", "gen-sdk", schemaFile, "--language", "dotnet", "--out", path.join(work, "out")], { env, stdio: ["ignore", "inherit", "inherit"] });
            child.once("error", reject);
            child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`pulumi package gen-sdk exited ${code}`))));
        });
        fs.rmSync(outDir, { recursive: true, force: true });
        fs.cpSync(path.join(work, "out", "dotnet"), outDir, { recursive: true });
        return outDir;
    } finally {
        server.close();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir: string): string[] {
    return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
}

if (require.main === module) {
    const bin = path.join(projectDir, ".tools", "bin");
    generateDotnetSdk({ pulumi: path.join(bin, "pulumi"), path: [bin, process.env.PATH ?? ""].join(path.delimiter) }, committedSdk).then(
        (dir) => process.stdout.write(`wrote ${path.relative(projectDir, dir)} (${filesUnder(dir).length} files)\n`),
        (error: unknown) => {
            process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(1);
        },
    );
}
