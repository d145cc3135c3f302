import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { forEngine } from "../infra/engineError";
import { ConfigError } from "../stacks";

/**
 * The SDK prints an error that has a stack through util.inspect, which loops on Node 20.20 (the e2e suite shows
 * `pulumi preview` hanging); an error without one is printed as its message. So nothing leaves with a stack.
 */
describe("errors handed to the engine", () => {
    test("a config mistake becomes a stackless RunError whose message is the one line", () => {
        const reported = forEngine(new ConfigError("ambient-spire:clusters[0].name", '"Cluster1" is not a DNS-1123 label', "use a DNS-1123 label"));
        assert.ok(pulumi.RunError.isInstance(reported));
        assert.equal(reported.stack, undefined);
        assert.equal(reported.message, 'ambient-spire:clusters[0].name: "Cluster1" is not a DNS-1123 label. Fix: use a DNS-1123 label');
    });

    test("any other error keeps its stack text, in the message, and has no stack of its own", () => {
        const original = new TypeError("boom");
        const reported = forEngine(original);
        assert.equal(reported.stack, undefined);
        assert.equal(pulumi.RunError.isInstance(reported), false);
        assert.equal(reported.message, original.stack);
        assert.equal(forEngine("thrown text").message, "thrown text");
    });
});
