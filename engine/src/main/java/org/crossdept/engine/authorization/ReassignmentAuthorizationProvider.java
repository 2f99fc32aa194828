package org.crossdept.engine.authorization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.impl.cfg.auth.DefaultAuthorizationProvider;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.HistoricProcessInstanceEntity;
import org.camunda.bpm.engine.impl.persistence.entity.IdentityLinkEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;
import org.camunda.bpm.engine.task.IdentityLinkType;
import org.camunda.bpm.engine.task.Task;
import org.crossdept.engine.audience.Audience;
import org.crossdept.engine.audience.AudienceDeclaration;
import org.crossdept.engine.audience.AudienceGrants;

/**
 * Task authorizations as the organisation needs them, for every client (Tasklist, Cockpit, REST).
 *
 * <p>Reassignment: Camunda's default provider grants a task's assignee READ and UPDATE (or
 * TASK_WORK) on the task, and READ on its history, but never takes that grant back when the task
 * is assigned to someone else: after a hand-over the giver could still read every task moved away
 * from them, with its variables. The previous assignee's per-task grants (runtime and history) are
 * removed when another person becomes the assignee. Kept: grants the previous assignee holds for
 * another reason on this task — they are its owner or a candidate user (both share the same
 * per-user authorization) — and every candidate group's grant.
 *
 * <p>Following progress: the person who started the instance (the engine-set {@code initiator}
 * variable, or else the history's start user) may READ each of its tasks ("我发起的 / Started by
 * me"), and so may the heads of the assignee's departments, through the group {@code <department
 * id>heads} provisioning keeps for each department ("员工待办 / My staff's open work"). READ only:
 * neither may complete, claim or change those tasks. When the task moves to someone of another
 * department, the heads' grant moves with it; when the task ends, the engine deletes all its grants.
 *
 * <p>Audiences: in a process that declares one ({@link AudienceDeclaration}), each new task is
 * readable by the instance's audience ({@link AudienceGrants}), and heads get no READ of their
 * own: only the audience, and those who work on the task, may see what it shows.
 *
 * <p>History: historic instance permissions are on (for audiences), but an assignee or candidate
 * gets no READ on their historic task; they read the task itself while it is theirs.
 */
public class ReassignmentAuthorizationProvider extends DefaultAuthorizationProvider {

  /** Groups of this type are departments; their heads are in the group of id + {@link #HEADS_SUFFIX}. */
  static final String DEPARTMENT_GROUP_TYPE = "crossdept-department";
  static final String HEADS_SUFFIX = "heads";
  static final String INITIATOR_VARIABLE = "initiator";

  @Override
  public AuthorizationEntity[] newTask(Task task) {
    List<AuthorizationEntity> grants = new ArrayList<>(asList(super.newTask(task)));
    Set<String> users = new LinkedHashSet<>();
    Set<String> groups = new LinkedHashSet<>();
    String initiator = initiator(task);
    if (initiator != null) {
      users.add(initiator);
    }
    Audience audience = audienceOf(task);
    if (audience != null) {
      users.addAll(audience.users());
      groups.addAll(audience.groups());
    }
    users.forEach(user -> grants.add(readOnly(task, user, null)));
    groups.forEach(group -> grants.add(readOnly(task, null, group)));
    return grants.toArray(new AuthorizationEntity[0]);
  }

  /** Camunda's provider grants historic tasks to assignees and candidates when this is on; we do not. */
  @Override
  protected boolean isHistoricInstancePermissionsEnabled() {
    return false;
  }

  @Override
  public AuthorizationEntity[] newTaskAssignee(Task task, String oldAssignee, String newAssignee) {
    List<AuthorizationEntity> grants = new ArrayList<>();
    String initiator = initiator(task);
    if (oldAssignee != null && !oldAssignee.equals(newAssignee) && !linkedOtherwise(task, oldAssignee)) {
      if (oldAssignee.equals(initiator) || inAudience(task, oldAssignee)) {
        grants.add(downgradeToRead(task, oldAssignee));  // deleting and re-creating one row in a command clashes
      } else {
        getAuthorizationManager().deleteAuthorizationsByResourceIdAndUserId(Resources.TASK, task.getId(), oldAssignee);
      }
      getAuthorizationManager()
          .deleteAuthorizationsByResourceIdAndUserId(Resources.HISTORIC_TASK, task.getId(), oldAssignee);
    }
    Set<String> oldHeads = headsGroups(oldAssignee);
    Set<String> newHeads = hasAudience(task) ? Set.of() : headsGroups(newAssignee);
    for (String group : oldHeads) {
      if (!newHeads.contains(group)) {
        getAuthorizationManager().deleteAuthorizationsByResourceIdAndGroupId(Resources.TASK, task.getId(), group);
      }
    }
    for (String group : newHeads) {
      grants.add(readOnly(task, null, group));
    }
    grants.addAll(asList(super.newTaskAssignee(task, oldAssignee, newAssignee)));
    return grants.stream().filter(g -> g != null).distinct().toArray(AuthorizationEntity[]::new);
  }

  /**
   * Two grants for one person on one task in one command (the initiator's READ, then the same
   * person's rights as assignee or candidate) are merged by Camunda into the newer one, which
   * takes the older one's permissions instead of both: the initiator holding their own task could
   * only read it. The merged grant keeps the union.
   */
  @Override
  protected void updateAuthorizationBasedOnCacheEntries(
      AuthorizationEntity authorization, String userId, String groupId, Resource resource, String resourceId) {
    int wanted = authorization.getPermissions();
    super.updateAuthorizationBasedOnCacheEntries(authorization, userId, groupId, resource, resourceId);
    authorization.setPermissions(authorization.getPermissions() | wanted);
  }

  private AuthorizationEntity readOnly(Task task, String userId, String groupId) {
    return createOrUpdateAuthorization(task, userId, groupId, Resources.TASK, false, Permissions.READ);
  }

  private AuthorizationEntity downgradeToRead(Task task, String userId) {
    AuthorizationEntity grant = getGrantAuthorizationByUserId(userId, Resources.TASK, task.getId());
    if (grant == null) {
      return readOnly(task, userId, null);
    }
    grant.setPermissions(new Permission[] {Permissions.READ});
    return grant;
  }

  /** The heads groups of the departments {@code userId} belongs to (none for no one). */
  private static Set<String> headsGroups(String userId) {
    Set<String> groups = new LinkedHashSet<>();
    if (userId == null) {
      return groups;
    }
    CommandContext context = Context.getCommandContext();
    // The person whose action assigned the task may not read groups: the lookup is the engine's own.
    List<Group> departments = context.runWithoutAuthorization(() -> context.getReadOnlyIdentityProvider()
        .createGroupQuery().groupMember(userId).groupType(DEPARTMENT_GROUP_TYPE).list());
    for (Group department : departments) {
      groups.add(department.getId() + HEADS_SUFFIX);
    }
    return groups;
  }

  private static String initiator(Task task) {
    if (!(task instanceof TaskEntity) || task.getProcessInstanceId() == null) {
      return null;
    }
    ExecutionEntity instance = ((TaskEntity) task).getProcessInstance();
    Object variable = instance == null ? null : instance.getVariable(INITIATOR_VARIABLE);
    if (variable instanceof String && !((String) variable).isEmpty()) {
      return (String) variable;
    }
    HistoricProcessInstanceEntity history = Context.getCommandContext().getDbEntityManager()
        .selectById(HistoricProcessInstanceEntity.class, task.getProcessInstanceId());
    return history == null ? null : history.getStartUserId();
  }

  /** The audience of the task's instance; null when its process declares none. */
  private static Audience audienceOf(Task task) {
    return task instanceof TaskEntity entity && entity.getProcessInstance() != null
        ? AudienceGrants.of(entity.getProcessInstance()) : null;
  }

  private static boolean inAudience(Task task, String userId) {
    Audience audience = audienceOf(task);
    return audience != null && audience.users().contains(userId);
  }

  private static boolean hasAudience(Task task) {
    return AudienceDeclaration.of(task.getProcessDefinitionId()).isDeclared();
  }

  private static List<AuthorizationEntity> asList(AuthorizationEntity[] grants) {
    return grants == null ? List.of() : Arrays.asList(grants);
  }

  private static boolean linkedOtherwise(Task task, String userId) {
    if (userId.equals(task.getOwner())) {
      return true;
    }
    if (!(task instanceof TaskEntity)) {
      return false;
    }
    for (IdentityLinkEntity link : ((TaskEntity) task).getIdentityLinks()) {
      if (userId.equals(link.getUserId()) && IdentityLinkType.CANDIDATE.equals(link.getType())) {
        return true;
      }
    }
    return false;
  }
}
