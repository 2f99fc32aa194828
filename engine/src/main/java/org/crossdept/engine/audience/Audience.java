package org.crossdept.engine.audience;

import java.util.Set;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationEntity;

/** Who may see one instance: the groups and the users (its initiator among them) it names. */
public record Audience(Set<String> groups, Set<String> users) {

  boolean includes(AuthorizationEntity grant) {
    return grant.getGroupId() != null ? groups.contains(grant.getGroupId()) : users.contains(grant.getUserId());
  }
}
