// Decides Casbin requests with node-casbin: reads {model, policies, groupings, requests} as
// JSON on stdin (model: the text of model.conf; policies: p rows; groupings: g rows;
// requests: each a list of request values) and writes a JSON list of booleans, one per request.
import { newEnforcer, newModelFromString } from "casbin";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const enforcer = await newEnforcer(newModelFromString(input.model));
if (input.groupings.length) await enforcer.addNamedGroupingPolicies("g", input.groupings);
if (input.policies.length) await enforcer.addNamedPolicies("p", input.policies);

const decisions = [];
for (const request of input.requests) decisions.push(await enforcer.enforce(...request));
process.stdout.write(JSON.stringify(decisions));
