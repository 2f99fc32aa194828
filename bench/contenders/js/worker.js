#!/usr/bin/env node
// Benchmark contender: camunda-external-task-client-js (npm).
//
//   node bench/contenders/js/worker.js --engine-url http://localhost:8080/engine-rest --user U \
//     --password P --topic T --concurrency 4 --work noop|pickup|realistic [--max-tasks M] [--long-poll-ms L]
//
// How the shared contract maps onto this client (3.1.0):
// - --concurrency N sets maxParallelExecutions=N (client default: unbounded) and maxTasks=N (client
//   default 10; --max-tasks overrides it). Before each poll the client asks for
//   min(maxTasks, maxParallelExecutions - running) tasks, so at most N handlers run at once.
// - Polling: client defaults kept: interval 300 ms between the end of one fetchAndLock and the next
//   (also when tasks were found), no asyncResponseTimeout (short polling), lockDuration 50000 ms,
//   usePriority true. --long-poll-ms L sets asyncResponseTimeout=L; the 300 ms interval stays.
// - Basic auth through the client's BasicAuthInterceptor, added to every request.
// - Nothing is printed per task (the client's logger middleware is not installed); errors go to stderr.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { Client, BasicAuthInterceptor, Variables } from "camunda-external-task-client-js";

const REALISTIC_VARIABLES = ["customerName", "quantity", "unitPrice", "currency", "orderDate"];
const CURRENCY = /^[A-Z]{3}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function usage(message) {
  process.stderr.write(
    `${message}\nusage: worker.js --engine-url URL --user USER --password PASS --topic TOPIC ` +
      `--concurrency N --work noop|pickup|realistic [--max-tasks M] [--long-poll-ms L]\n`
  );
  process.exit(2);
}

function positiveInt(name, text, min) {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) usage(`--${name} must be an integer >= ${min}`);
  return Number(text);
}

function parse() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        "engine-url": { type: "string" },
        user: { type: "string" },
        password: { type: "string" },
        topic: { type: "string" },
        concurrency: { type: "string" },
        work: { type: "string" },
        "max-tasks": { type: "string" },
        "long-poll-ms": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    usage(e.message);
  }
  for (const required of ["engine-url", "user", "password", "topic", "concurrency", "work"]) {
    if (values[required] === undefined) usage(`--${required} is required`);
  }
  if (!["noop", "pickup", "realistic"].includes(values.work)) usage("--work must be noop, pickup or realistic");
  return {
    engineUrl: values["engine-url"].replace(/\/+$/, ""),
    user: values.user,
    password: values.password,
    topic: values.topic,
    concurrency: positiveInt("concurrency", values.concurrency, 1),
    work: values.work,
    maxTasks: positiveInt("max-tasks", values["max-tasks"], 1),
    longPollMs: positiveInt("long-poll-ms", values["long-poll-ms"], 0),
  };
}

function clientVersion() {
  const require = createRequire(import.meta.url);
  // The package's "exports" hides package.json from require.resolve; find it beside its entry point.
  const entry = require.resolve("camunda-external-task-client-js");
  const pkg = JSON.parse(readFileSync(new URL("package.json", `file://${entry}`), "utf-8"));
  return pkg.version;
}

// null when valid, else a message
function validationError(variables) {
  const name = variables.get("customerName");
  const quantity = variables.get("quantity");
  const unitPrice = variables.get("unitPrice");
  const currency = variables.get("currency");
  const orderDate = variables.get("orderDate");
  if (typeof name !== "string" || name.trim() === "") return "customerName must be a non-empty string";
  if (!Number.isInteger(quantity) || quantity < 1) return "quantity must be an integer >= 1";
  if (typeof unitPrice !== "number" || !Number.isFinite(unitPrice) || !(unitPrice > 0))
    return "unitPrice must be a number > 0";
  if (typeof currency !== "string" || !CURRENCY.test(currency)) return "currency must be three upper-case letters";
  if (typeof orderDate !== "string" || !ISO_DATE.test(orderDate)) return "orderDate must be an ISO date YYYY-MM-DD";
  const parsed = new Date(`${orderDate}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== orderDate)
    return "orderDate is not a valid date";
  return null;
}

function makeHandler(work) {
  if (work === "noop") {
    return async ({ task, taskService }) => {
      await taskService.complete(task);
    };
  }
  if (work === "pickup") {
    return async ({ task, taskService }) => {
      const pickedUpAtMs = Date.now();
      const variables = new Variables().setTyped("pickedUpAtMs", { type: "Long", value: pickedUpAtMs, valueInfo: {} });
      await taskService.complete(task, variables);
    };
  }
  return async ({ task, taskService }) => {
    const error = validationError(task.variables);
    if (error !== null) {
      await taskService.handleBpmnError(task, "INVALID_ORDER", error);
      return;
    }
    const total = task.variables.get("quantity") * task.variables.get("unitPrice");
    const variables = new Variables()
      .setTyped("total", { type: "Double", value: total, valueInfo: {} })
      .setTyped("validatedAt", { type: "String", value: new Date().toISOString(), valueInfo: {} });
    await taskService.complete(task, variables);
  };
}

function main() {
  const args = parse();
  const options = {
    baseUrl: args.engineUrl,
    workerId: `bench-js-${process.pid}`,
    maxTasks: args.maxTasks ?? args.concurrency,
    maxParallelExecutions: args.concurrency,
    interceptors: new BasicAuthInterceptor({ username: args.user, password: args.password }),
    autoPoll: false,
  };
  if (args.longPollMs !== undefined) options.asyncResponseTimeout = args.longPollMs;

  const client = new Client(options);
  // Errors only (never per task on the happy path): a failed poll or a failed complete/bpmnError call.
  client.on("poll:error", (e) => process.stderr.write(`poll error: ${e && e.message}\n`));
  client.on("complete:error", (_task, e) => process.stderr.write(`complete error: ${e && e.message}\n`));
  client.on("handleBpmnError:error", (_task, e) => process.stderr.write(`bpmnError error: ${e && e.message}\n`));
  client.on("handler:error", (e) => process.stderr.write(`handler error: ${e && e.message}\n`));

  const stop = () => {
    client.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  client.subscribe(
    args.topic,
    { variables: args.work === "realistic" ? REALISTIC_VARIABLES : [] },
    makeHandler(args.work)
  );
  const effective = client.options;
  process.stderr.write(
    `ready: camunda-external-task-client-js ${clientVersion()} maxTasks=${effective.maxTasks}` +
      ` maxParallelExecutions=${effective.maxParallelExecutions} interval=${effective.interval}` +
      ` asyncResponseTimeout=${effective.asyncResponseTimeout ?? "none (short polling)"}\n`
  );
  client.start();
}

main();
