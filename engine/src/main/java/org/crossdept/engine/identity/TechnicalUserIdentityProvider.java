package org.crossdept.engine.identity;

import org.camunda.bpm.engine.impl.identity.db.DbIdentityServiceProvider;
import org.camunda.bpm.engine.impl.persistence.entity.UserEntity;

/**
 * Camunda's database identity provider, except that the workers' technical user is never locked
 * by failed logins. Camunda's login throttling locks a user for a growing delay after each wrong
 * password and for good after {@code loginMaxAttempts} of them (only an administrator unlocks);
 * anyone who can reach the engine could use that to stop the workers. For that one user id a
 * password is checked against its stored hash and nothing else: no lock is read, no failed
 * attempt is counted, and a right password does not reset a count either. Every other user keeps
 * Camunda's throttling.
 *
 * <p>Every password check goes through here (the REST basic-auth filter, {@code /identity/verify},
 * the webapps' login, the Java API), so no path can lock the technical user. Its password is a
 * long random secret (crossdept generates 32 characters), which is what makes guessing without a
 * throttle hopeless.
 */
public class TechnicalUserIdentityProvider extends DbIdentityServiceProvider {

  private final String technicalUserId;

  public TechnicalUserIdentityProvider(String technicalUserId) {
    this.technicalUserId = technicalUserId;
  }

  @Override
  public boolean checkPassword(String userId, String password) {
    if (!technicalUserId.equals(userId)) {
      return super.checkPassword(userId, password);
    }
    UserEntity user = findUserById(userId);
    return user != null && password != null && matchPassword(password, user);
  }
}
