package org.crossdept.engine.audience;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.CommandContextListener;
import org.camunda.bpm.engine.impl.interceptor.Session;
import org.camunda.bpm.engine.impl.interceptor.SessionFactory;

/**
 * The audience variables one command wrote, per instance, applied once when the command closes
 * (before the engine flushes it, in the same transaction). Once, not per variable: a worker that
 * sets groups and users together would otherwise see its grants removed after the first and made
 * again after the second within one command, which Camunda's entity cache does not allow for a row.
 * A {@link Session} because that is what Camunda keeps per command context.
 */
final class AudienceChanges implements Session, CommandContextListener {

  private final Map<String, AudienceDeclaration> declarations = new LinkedHashMap<>();
  private final Map<String, Map<String, Set<String>>> written = new HashMap<>();

  void written(String processInstanceId, AudienceDeclaration declaration, String variable, Set<String> ids) {
    declarations.putIfAbsent(processInstanceId, declaration);
    written.computeIfAbsent(processInstanceId, ignored -> new HashMap<>()).put(variable, ids);
  }

  @Override
  public void onCommandContextClose(CommandContext commandContext) {
    declarations.forEach((instance, declaration) -> AudienceGrants.sync(instance, declaration, written.get(instance)));
    declarations.clear();
  }

  @Override
  public void onCommandFailed(CommandContext commandContext, Throwable t) {
    // nothing was granted: grants are made when the command closes
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
  }

  static final class Factory implements SessionFactory {

    @Override
    public Class<?> getSessionType() {
      return AudienceChanges.class;
    }

    @Override
    public Session openSession() {
      AudienceChanges changes = new AudienceChanges();
      Context.getCommandContext().registerCommandContextListener(changes);
      return changes;
    }
  }
}
