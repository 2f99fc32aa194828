package org.crossdept.bench.contender;

import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

import org.camunda.bpm.client.ExternalTaskClient;
import org.camunda.bpm.client.ExternalTaskClientBuilder;
import org.camunda.bpm.client.interceptor.auth.BasicAuthProvider;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskHandler;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.camunda.bpm.client.topic.TopicSubscriptionBuilder;
import org.camunda.bpm.engine.variable.Variables;

/**
 * Benchmark contender: the official Camunda 7 Java external task client (7.24.0).
 *
 * <pre>
 * java -jar bench/contenders/java/target/bench-java-client.jar --engine-url URL --user U --password P
 *     --topic T --concurrency N --work noop|pickup|realistic [--max-tasks M] [--long-poll-ms L]
 * </pre>
 *
 * <p>How the shared contract maps onto this client:
 * <ul>
 *   <li>The client has no parallelism setting: one acquisition thread (TopicSubscriptionManager) fetches
 *   and then runs each fetched task's handler, complete call included, one after another. So at most ONE
 *   task is handled at a time; --concurrency N only sets maxTasks=N (client default 10), --max-tasks
 *   overrides that. It is run as it is, in one process.</li>
 *   <li>Polling: client defaults kept: no asyncResponseTimeout (short polling), the
 *   ExponentialBackoffStrategy (after an empty fetch waits 500 ms, doubling up to 60 s; no wait while
 *   fetches return tasks), lockDuration 20000 ms, usePriority true. --long-poll-ms L sets
 *   asyncResponseTimeout(L); the backoff strategy stays.</li>
 *   <li>Basic auth through the client's BasicAuthProvider interceptor, on every request.</li>
 *   <li>Nothing is logged per task: SLF4J simple binding at WARN.</li>
 * </ul>
 */
public final class Main {

  private static final String[] REALISTIC_VARIABLES = {"customerName", "quantity", "unitPrice", "currency", "orderDate"};
  private static final Pattern CURRENCY = Pattern.compile("^[A-Z]{3}$");
  private static final Pattern ISO_DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");

  private Main() {
  }

  static final class Args {
    String engineUrl;
    String user;
    String password;
    String topic;
    int concurrency;
    String work;
    Integer maxTasks;
    Long longPollMs;
  }

  private static void usage(String message) {
    System.err.println(message);
    System.err.println("usage: java -jar bench-java-client.jar --engine-url URL --user USER --password PASS"
        + " --topic TOPIC --concurrency N --work noop|pickup|realistic [--max-tasks M] [--long-poll-ms L]");
    System.exit(2);
  }

  private static long number(String name, String text, long min) {
    try {
      long value = Long.parseLong(text);
      if (value >= min) {
        return value;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    usage("--" + name + " must be an integer >= " + min);
    return -1;
  }

  static Args parse(String[] argv) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String key = argv[i];
      String value;
      int eq = key.indexOf('=');
      if (key.startsWith("--") && eq > 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      } else if (key.startsWith("--") && i + 1 < argv.length) {
        value = argv[++i];
      } else {
        usage("unexpected argument: " + key);
        return null;
      }
      values.put(key.substring(2), value);
    }
    for (String known : values.keySet()) {
      if (!java.util.List.of("engine-url", "user", "password", "topic", "concurrency", "work", "max-tasks", "long-poll-ms")
          .contains(known)) {
        usage("unknown option --" + known);
      }
    }
    for (String required : new String[] {"engine-url", "user", "password", "topic", "concurrency", "work"}) {
      if (!values.containsKey(required)) {
        usage("--" + required + " is required");
      }
    }
    Args args = new Args();
    args.engineUrl = values.get("engine-url").replaceAll("/+$", "");
    args.user = values.get("user");
    args.password = values.get("password");
    args.topic = values.get("topic");
    args.concurrency = (int) number("concurrency", values.get("concurrency"), 1);
    args.work = values.get("work");
    if (!java.util.List.of("noop", "pickup", "realistic").contains(args.work)) {
      usage("--work must be noop, pickup or realistic");
    }
    if (values.containsKey("max-tasks")) {
      args.maxTasks = (int) number("max-tasks", values.get("max-tasks"), 1);
    }
    if (values.containsKey("long-poll-ms")) {
      args.longPollMs = number("long-poll-ms", values.get("long-poll-ms"), 0);
    }
    return args;
  }

  /** null when the five variables are valid, else a message. */
  static String validationError(ExternalTask task) {
    Object name = task.getVariable("customerName");
    Object quantity = task.getVariable("quantity");
    Object unitPrice = task.getVariable("unitPrice");
    Object currency = task.getVariable("currency");
    Object orderDate = task.getVariable("orderDate");
    if (!(name instanceof String) || ((String) name).isBlank()) {
      return "customerName must be a non-empty string";
    }
    if (!(quantity instanceof Integer || quantity instanceof Long || quantity instanceof Short)
        || ((Number) quantity).longValue() < 1) {
      return "quantity must be an integer >= 1";
    }
    if (!(unitPrice instanceof Number) || !(((Number) unitPrice).doubleValue() > 0)
        || Double.isInfinite(((Number) unitPrice).doubleValue())) {
      return "unitPrice must be a number > 0";
    }
    if (!(currency instanceof String) || !CURRENCY.matcher((String) currency).matches()) {
      return "currency must be three upper-case letters";
    }
    if (!(orderDate instanceof String) || !ISO_DATE.matcher((String) orderDate).matches()) {
      return "orderDate must be an ISO date YYYY-MM-DD";
    }
    try {
      LocalDate.parse((String) orderDate);
    } catch (DateTimeParseException e) {
      return "orderDate is not a valid date";
    }
    return null;
  }

  static ExternalTaskHandler handler(String work) {
    switch (work) {
      case "noop":
        return (task, service) -> service.complete(task);
      case "pickup":
        return (task, service) -> {
          long pickedUpAtMs = System.currentTimeMillis();
          service.complete(task, Variables.createVariables().putValueTyped("pickedUpAtMs", Variables.longValue(pickedUpAtMs)));
        };
      default:
        return Main::realistic;
    }
  }

  private static void realistic(ExternalTask task, ExternalTaskService service) {
    String error = validationError(task);
    if (error != null) {
      service.handleBpmnError(task, "INVALID_ORDER", error);
      return;
    }
    double total = ((Number) task.getVariable("quantity")).longValue() * ((Number) task.getVariable("unitPrice")).doubleValue();
    service.complete(task, Variables.createVariables()
        .putValueTyped("total", Variables.doubleValue(total))
        .putValueTyped("validatedAt", Variables.stringValue(Instant.now().toString())));
  }

  static String clientVersion() {
    String resource = "/META-INF/maven/org.camunda.bpm/camunda-external-task-client/pom.properties";
    try (InputStream in = ExternalTaskClient.class.getResourceAsStream(resource)) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty("version", "unknown");
      }
    } catch (java.io.IOException e) {
      // fall through
    }
    String fromManifest = ExternalTaskClient.class.getPackage().getImplementationVersion();
    return fromManifest != null ? fromManifest : "unknown";
  }

  private static void exitOnSignals() {
    // A JVM ends with status 143 on SIGTERM (130 on SIGINT) by default, and ExternalTaskClient.stop()
    // would wait for a long poll in flight; the contract asks for a prompt exit 0. Registered once the
    // subscription is open, so a usage error or a failure while starting up keeps its non-zero status.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(0), "exit-0"));
  }

  public static void main(String[] argv) {
    // before the first logger is created
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    Args args = parse(argv);

    int maxTasks = args.maxTasks != null ? args.maxTasks : args.concurrency;
    ExternalTaskClientBuilder builder = ExternalTaskClient.create()
        .baseUrl(args.engineUrl)
        .workerId("bench-java-" + ProcessHandle.current().pid())
        .maxTasks(maxTasks)
        .addInterceptor(new BasicAuthProvider(args.user, args.password));
    // The client refuses asyncResponseTimeout(0); leaving it unset is the same thing (no long polling).
    boolean longPolling = args.longPollMs != null && args.longPollMs > 0;
    if (longPolling) {
      builder.asyncResponseTimeout(args.longPollMs);
    }
    ExternalTaskClient client = builder.build();

    TopicSubscriptionBuilder subscription = client.subscribe(args.topic).handler(handler(args.work));
    if ("realistic".equals(args.work)) {
      subscription.variables(REALISTIC_VARIABLES);
    } else {
      subscription.variables(); // fetch no variables
    }
    System.err.println("ready: camunda-external-task-client (Java) " + clientVersion() + " maxTasks=" + maxTasks
        + " handled-at-once=1 asyncResponseTimeout=" + (longPolling ? args.longPollMs : "none (short polling)"));
    System.err.flush();
    subscription.open();
    exitOnSignals(); // only now: a failure while starting up still ends with a non-zero status
    // The client's acquisition thread is not a daemon: the JVM runs until a signal halts it.
  }
}
