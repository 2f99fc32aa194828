/*
 * crossdept: what staff are told when they press 完成 / Complete (or start a process).
 *
 * Tasklist 7.24 says nothing after a successful completion: the task simply leaves the list, and
 * the supervisor who signs last sees an empty list. And when the engine refuses a completion it
 * shows "提交任务表单时出错" with the engine's raw text, which says neither what went wrong in
 * words staff know nor what to do. Both pass through one place, the completion callback of the
 * cam-tasklist-form directive (task forms and start forms alike), so this decorator wraps it:
 * on success a confirmation naming the task; on failure the engine's reason, explained, with
 * what to do next. The error toast itself is still Tasklist's (it only gets a better message), so
 * it keeps its place in Tasklist's notification list; styles/user-styles.css moves that list away
 * from the 完成 button.
 */
define(['angular', 'scripts/crossdept-extend-form'], function (angular, extendTasklistForm) {
  'use strict';

  var CONFIRMATION_MS = 15000;  // long enough to read, short enough not to pile up

  // What the engine's refusal means, by its text; the first match explains it. `detail` keeps
  // the engine's own words when they say something a person can act on.
  var REASONS = [
    {
      test: /task is null|No matching task|Cannot find task|该任务已不存在|不存在/i,
      text: '此任务已不存在：可能已由同事完成，或流程已撤回。您的填写未被提交。请刷新任务列表查看当前待办。' +
        ' / This task no longer exists: a colleague may have completed it, or the process was withdrawn. ' +
        'Nothing was submitted. Refresh the task list to see your current tasks.'
    },
    {
      test: /is suspended|已暂停/i,
      text: '流程已暂停，暂时不能提交。请稍后再试，或联系流程管理员。' +
        ' / The process is suspended and cannot take this now. Try again later or ask the process administrator.'
    },
    {
      test: /not authorized|AuthorizationException|permission|无权/i,
      text: '您没有完成此任务的权限：它可能已分配给他人。请刷新任务列表；如需由您处理，请联系部门负责人。' +
        ' / You may not complete this task: it may have been assigned to someone else. Refresh the list; ' +
        'if it should be yours, ask your department head.'
    },
    {
      test: /ENGINE-CROSSDEPT-0\d/,
      detail: true,
      text: '系统未接受此次提交：表单外的内容或只读内容不能修改。请刷新页面后只填写表单中的栏目再提交；' +
        '如需更正其他内容，请联系流程管理员。' +
        ' / Not accepted: only the form\'s own fields may be written. Reload the page, fill in the form ' +
        'and submit again; ask the process administrator to correct anything else.'
    }
  ];
  var OTHERWISE = '请检查表单中的填写内容后再点击“完成”；如仍无法提交，请截图并联系流程管理员。' +
    ' / Check what the form says and click 完成 again; if it still fails, send a screenshot to the process administrator.';

  function engineText(error) {
    return ((error && (error.message || error.status)) || '').toString().trim();
  }

  // A person reads the explanation first; the engine's own words follow for the administrator.
  function explain(error) {
    var said = engineText(error);
    for (var i = 0; i < REASONS.length; i++) {
      if (REASONS[i].test.test(said)) {
        return REASONS[i].detail ? REASONS[i].text + ' 系统信息 / Engine: ' + said : REASONS[i].text;
      }
    }
    return said ? said + ' — ' + OTHERWISE : OTHERWISE;
  }

  function confirmation(scope) {
    var task = scope.$parent && scope.$parent.task;
    if (task && task.name) {
      return {status: '已提交 / Submitted', message: '“' + task.name + '”已完成，已转交下一步处理。 / Done; it has moved on to the next step.'};
    }
    var process = scope.params && scope.params.processDefinitionName;
    if (process) {
      return {status: '已发起 / Started', message: '“' + process + '”已发起。 / The process has started.'};
    }
    return {status: '已提交 / Submitted', message: '您的填写已提交。 / Your form was submitted.'};
  }

  var ngModule = angular.module('crossdept.feedback', []);

  // Opening a task one may not see shows TASK_NOT_EXIST (zh.json says what to do) followed by the
  // engine's "<task> <- No matching task with id ...": an id and an arrow tell staff nothing more.
  ngModule.config(['$provide', function ($provide) {
    $provide.decorator('Notifications', ['$delegate', function (Notifications) {
      var addError = Notifications.addError;
      Notifications.addError = function (notification) {
        if (notification && /No matching task with id/.test(notification.message || '')) {
          notification.message = '';
        }
        return addError.apply(this, arguments);
      };
      return Notifications;
    }]);
  }]);

  ngModule.config(['$provide', function ($provide) {
    extendTasklistForm($provide, ['Notifications'], function (form, $scope, services) {
      var Notifications = services[0];
      var completed = $scope.onFormCompletionCallback;
      $scope.onFormCompletionCallback = function (error) {
        if (error && error.message !== 'camForm submission prevented') {
          error.message = explain(error);
        } else if (!error) {
          var told = confirmation($scope);  // before Tasklist moves on and the task is gone
          Notifications.addMessage({status: told.status, message: told.message, duration: CONFIRMATION_MS});
        }
        return completed.apply(this, arguments);
      };
    });
  }]);

  return ngModule;
});
