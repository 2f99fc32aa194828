package org.crossdept.engine.completion;

import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.cmd.CompleteTaskCmd;
import org.camunda.bpm.engine.impl.cmd.SubmitTaskFormCmd;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs a task completion again when it lost a race with another transaction on the same
 * execution tree.
 *
 * <p>The race: a worker completes the external task that ends one branch of a parallel split
 * (work-handover's notice branch) while the person completes the user task of the other branch
 * (the checklist). Ending the branch deletes its concurrent execution and folds the last one into
 * the instance; the person's completion moves that same execution on. Whichever commits second
 * is refused: ENGINE-03005 (optimistic locking, "INSERT ExecutionEntity ... updated by another
 * transaction concurrently"), ENGINE-03077 (the execution's parent was deleted after it was
 * read), or the database's own "transaction rolled back" (SQLState class 40: H2's "Deadlock
 * detected" on ACT_RU_EXECUTION, PostgreSQL's serialization failure or deadlock, wrapped in
 * ENGINE-03004). All leave nothing behind (the transaction is rolled back) and the next attempt sees the
 * committed tree, so running the same command again is the whole fix; a worker would retry its
 * side anyway, a person should not have to.
 *
 * <p>Only completions, only at the outermost command with no transaction around it: a nested
 * command belongs to its caller's transaction, which has to fail as a whole.
 */
class CompletionRetryInterceptor extends CommandInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(CompletionRetryInterceptor.class);
  private static final Set<Class<?>> COMPLETIONS = Set.of(CompleteTaskCmd.class, SubmitTaskFormCmd.class);
  private static final String PARENT_DELETED = "ENGINE-03077";
  private static final String ROLLED_BACK = "40"; // SQLState class "transaction rollback"
  private static final long PAUSE_MS = 50;

  private final int attempts;

  CompletionRetryInterceptor(int attempts) {
    this.attempts = attempts;
  }

  @Override
  public <T> T execute(Command<T> command) {
    if (!COMPLETIONS.contains(command.getClass()) || Context.getCommandContext() != null
        || TransactionSynchronizationManager.isActualTransactionActive()) {
      return next.execute(command);
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return next.execute(command);
      } catch (ProcessEngineException e) {
        if (attempt >= attempts || !lostRace(e)) {
          throw e;
        }
        LOG.info("{} lost a race with a concurrent transaction (attempt {} of {}), running it again: {}",
            command.getClass().getSimpleName(), attempt, attempts, e.getMessage());
        pause(attempt);
      }
    }
  }

  static boolean lostRace(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof OptimisticLockingException
          || (cause.getMessage() != null && cause.getMessage().startsWith(PARENT_DELETED))
          || (cause instanceof SQLException sql && sql.getSQLState() != null
              && sql.getSQLState().startsWith(ROLLED_BACK))) {
        return true;
      }
    }
    return false;
  }

  /** A little longer each time, and jittered, so two losers do not meet again in step. */
  private static void pause(int attempt) {
    try {
      Thread.sleep(PAUSE_MS * attempt + ThreadLocalRandom.current().nextLong(PAUSE_MS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProcessEngineException("interrupted while waiting to run a completion again", e);
    }
  }
}
