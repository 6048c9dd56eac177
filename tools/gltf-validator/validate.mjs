// Validate one .glb/.gltf with the Khronos glTF validator; prints its JSON report on stdout.
// Usage: node validate.mjs FILE
import { readFile } from "node:fs/promises";
import validator from "gltf-validator";

const path = process.argv[2];
const bytes = new Uint8Array(await readFile(path));
const report = await validator.validateBytes(bytes, { uri: path, maxIssues: 100 });
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
