package org.crossdept.engine.audience;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.HistoricProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.AuthorizationQueryImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.HistoricProcessInstanceEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;

/**
 * The per-instance grants of an audience: READ on the process instance (its runtime variables
 * with it), on each of its open tasks (their variables: without enforceSpecificVariablePermission
 * READ on a task reads them) and on the historic process instance (with historic instance
 * permissions on, that one grant opens the instance's history: tasks, activities, variables,
 * details, identity links, incidents, external task logs and user operations all check it), to
 * exactly the audience's groups and users; tasks created later get theirs when they are created
 * ({@code ReassignmentAuthorizationProvider.newTask}).
 *
 * <p>Revoking: a grant of READ alone to someone outside the audience on these resources is
 * removed when the audience is written again. In a process that declares an audience nobody else
 * is given READ alone (Camunda gives assignees and candidates READ with UPDATE or TASK_WORK, which
 * stays: they work on the task; the initiator is always in the audience; department heads get no
 * READ there), so what is removed is exactly a former audience's.
 */
public final class AudienceGrants {

  static final String INITIATOR_VARIABLE = "initiator";
  private static final int READ = Permissions.READ.getValue();

  private AudienceGrants() {
  }

  /** The audience of a running instance, or null when its process declares none. */
  public static Audience of(ExecutionEntity processInstance) {
    AudienceDeclaration declaration = AudienceDeclaration.of(processInstance.getProcessDefinitionId());
    if (!declaration.isDeclared()) {
      return null;
    }
    return audience(declaration, processInstance.getId(), processInstance, Collections.emptyMap());
  }

  /** Brings the instance's grants to its audience; {@code written} holds the values this command set. */
  static void sync(String processInstanceId, AudienceDeclaration declaration, Map<String, Set<String>> written) {
    CommandContext context = Context.getCommandContext();
    context.runWithoutAuthorization(() -> {
      ExecutionEntity instance = context.getExecutionManager().findExecutionById(processInstanceId);
      boolean running = instance != null && !instance.isEnded();
      Audience audience = audience(declaration, processInstanceId, running ? instance : null, written);
      if (running) {
        syncGrants(Resources.PROCESS_INSTANCE, processInstanceId, audience, Permissions.READ, null);
        for (TaskEntity task : openTasks(processInstanceId)) {
          syncGrants(Resources.TASK, task.getId(), audience, Permissions.READ, null);
        }
      }
      String root = running ? instance.getRootProcessInstanceId() : rootOfHistoric(processInstanceId);
      syncGrants(Resources.HISTORIC_PROCESS_INSTANCE, processInstanceId, audience,
          HistoricProcessInstancePermissions.READ, root);
      return null;
    });
  }

  private static Audience audience(AudienceDeclaration declaration, String processInstanceId,
                                   ExecutionEntity running, Map<String, Set<String>> written) {
    Set<String> groups = new LinkedHashSet<>(ids(declaration.groupsVariable(), processInstanceId, running, written));
    Set<String> users = new LinkedHashSet<>(ids(declaration.usersVariable(), processInstanceId, running, written));
    String initiator = initiator(processInstanceId, running);
    if (initiator != null) {
      users.add(initiator);
    }
    return new Audience(Collections.unmodifiableSet(groups), Collections.unmodifiableSet(users));
  }

  private static Set<String> ids(String variable, String processInstanceId, ExecutionEntity running,
                                 Map<String, Set<String>> written) {
    if (variable == null) {
      return Collections.emptySet();
    }
    if (written.containsKey(variable)) {
      return written.get(variable);
    }
    if (running != null) {
      return AudienceIds.held(running.getVariableTyped(variable, false));
    }
    // Ended in this command: what it had is in the history (what this command wrote is in `written`).
    HistoricVariableInstance found = Context.getProcessEngineConfiguration().getHistoryService()
        .createHistoricVariableInstanceQuery().processInstanceId(processInstanceId).variableName(variable)
        .disableCustomObjectDeserialization().singleResult();
    return found == null ? Collections.emptySet() : AudienceIds.held(found.getTypedValue());
  }

  /** As for the initiator's READ on tasks: the engine-set {@code initiator} variable, else the start user. */
  private static String initiator(String processInstanceId, ExecutionEntity running) {
    Object variable = running == null ? null : running.getVariable(INITIATOR_VARIABLE);
    if (variable instanceof String text && !text.isEmpty()) {
      return text;
    }
    HistoricProcessInstanceEntity history = Context.getCommandContext().getDbEntityManager()
        .selectById(HistoricProcessInstanceEntity.class, processInstanceId);
    return history == null ? null : history.getStartUserId();
  }

  private static String rootOfHistoric(String processInstanceId) {
    HistoricProcessInstanceEntity history = Context.getCommandContext().getDbEntityManager()
        .selectById(HistoricProcessInstanceEntity.class, processInstanceId);
    return history == null ? processInstanceId : history.getRootProcessInstanceId();
  }

  /** The instance's tasks: those stored, and those this command created (not yet stored). */
  private static List<TaskEntity> openTasks(String processInstanceId) {
    CommandContext context = Context.getCommandContext();
    Map<String, TaskEntity> tasks = new LinkedHashMap<>();
    for (TaskEntity task : context.getTaskManager().findTasksByProcessInstanceId(processInstanceId)) {
      tasks.put(task.getId(), task);
    }
    for (TaskEntity task : context.getDbEntityManager().getCachedEntitiesByType(TaskEntity.class)) {
      if (processInstanceId.equals(task.getProcessInstanceId())) {
        tasks.putIfAbsent(task.getId(), task);
      }
    }
    tasks.values().removeIf(TaskEntity::isDeleted);
    return new ArrayList<>(tasks.values());
  }

  private static void syncGrants(Resource resource, String resourceId, Audience audience, Permission read,
                                 String rootProcessInstanceId) {
    CommandContext context = Context.getCommandContext();
    List<AuthorizationEntity> existing = grantsOn(resource, resourceId);
    for (AuthorizationEntity grant : existing) {
      if (grant.getPermissions() == READ && !audience.includes(grant)) {
        context.getAuthorizationManager().delete(grant);
      }
    }
    for (String group : audience.groups()) {
      grant(existing, null, group, resource, resourceId, read, rootProcessInstanceId);
    }
    for (String user : audience.users()) {
      grant(existing, user, null, resource, resourceId, read, rootProcessInstanceId);
    }
  }

  private static void grant(List<AuthorizationEntity> existing, String userId, String groupId, Resource resource,
                            String resourceId, Permission read, String rootProcessInstanceId) {
    for (AuthorizationEntity grant : existing) {
      if (same(grant.getUserId(), userId) && same(grant.getGroupId(), groupId)) {
        if ((grant.getPermissions() & READ) == 0) {
          grant.addPermission(read);
        }
        return;
      }
    }
    AuthorizationEntity grant = new AuthorizationEntity(Authorization.AUTH_TYPE_GRANT);
    grant.setUserId(userId);
    grant.setGroupId(groupId);
    grant.setResource(resource);
    grant.setResourceId(resourceId);
    grant.addPermission(read);
    // The engine gives historic grants of a root instance its removal time, so history cleanup removes them too.
    grant.setRootProcessInstanceId(rootProcessInstanceId);
    Context.getCommandContext().getAuthorizationManager().insert(grant);
  }

  /** Grants on one resource, stored or created in this command. */
  private static List<AuthorizationEntity> grantsOn(Resource resource, String resourceId) {
    CommandContext context = Context.getCommandContext();
    AuthorizationQueryImpl query = new AuthorizationQueryImpl();
    query.resourceType(resource).resourceId(resourceId).authorizationType(Authorization.AUTH_TYPE_GRANT);
    Map<String, AuthorizationEntity> found = new LinkedHashMap<>();
    for (Authorization grant : context.getAuthorizationManager().selectAuthorizationByQueryCriteria(query)) {
      found.put(grant.getId(), (AuthorizationEntity) grant);
    }
    for (AuthorizationEntity grant : context.getDbEntityManager().getCachedEntitiesByType(AuthorizationEntity.class)) {
      if (grant.getResourceType() == resource.resourceType() && resourceId.equals(grant.getResourceId())
          && grant.getAuthorizationType() == Authorization.AUTH_TYPE_GRANT) {
        found.putIfAbsent(grant.getId(), grant);
      }
    }
    return new ArrayList<>(found.values());
  }

  private static boolean same(String a, String b) {
    return a == null ? b == null : a.equals(b);
  }
}
