// `npm run schema`: writes package/schema.json from the components' TypeScript (see generate.ts). `npm test`
// fails while the committed file differs from what this writes.
import * as fs from "fs";
import * as path from "path";
import { packageComponents } from "../components";
import { generateSchema } from "./generate";

export const projectDir = path.resolve(__dirname, "..", "..", "..");
export const schemaFile = path.join(projectDir, "package", "schema.json");

export function schemaText(): string {
    return `${JSON.stringify(generateSchema(packageComponents, projectDir), null, 4)}\n`;
}

if (require.main === module) {
    fs.writeFileSync(schemaFile, schemaText());
    process.stdout.write(`wrote ${path.relative(projectDir, schemaFile)}\n`);
}
