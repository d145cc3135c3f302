import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { changedPaths } from "./e2e/support/adoptionSteps";

/** The adoption e2e's own reading of `helm get values` before and after `up`: what a correction changed. */
describe("adoption e2e: the values a release's upgrade changed", () => {
    test("leaves added, removed and changed are named by their dotted path; equal trees name none", () => {
        const guide = { license: { value: "L" }, meshConfig: { trustDomain: "", accessLogFile: "/dev/stdout" }, profile: "ambient" };
        const program = { license: { secretRef: { name: "solo-istio-license" } }, meshConfig: { trustDomain: "cluster1", accessLogFile: "/dev/stdout" }, profile: "ambient" };
        assert.deepEqual(changedPaths(guide, program), ["license.secretRef", "license.value", "meshConfig.trustDomain"]);
        assert.deepEqual(changedPaths(guide, structuredClone(guide)), []);
    });

    test("a list is one leaf: a changed item changes the list", () => {
        assert.deepEqual(changedPaths({ t: [{ key: "a" }] }, { t: [{ key: "b" }] }), ["t"]);
        assert.deepEqual(changedPaths({ t: [1, 2] }, { t: [1, 2] }), []);
    });

});
