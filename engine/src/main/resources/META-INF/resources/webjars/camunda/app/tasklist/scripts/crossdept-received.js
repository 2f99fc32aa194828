/*
 * crossdept: 本部门收到的信息 / Received by my department (issue 13, contract E).
 *
 * Tasklist lists open tasks only, so a share leaves the filter 本部门收到的信息·<部门> once it is
 * acknowledged. This navbar action (plugin point tasklist.navbar.action, as 启动流程 is) opens a view
 * of everything each of the user's departments received from process information-sharing, running
 * and ended, newest first: version (and which later version corrected it), classification,
 * sensitivity, publishing department, when it was delivered, the acknowledgement state, and the
 * department's feedback and the answer. Opening an item shows its content and, while the
 * department's acknowledgement task is open, a link to it.
 *
 * Everything is read from the engine with the user's Tasklist session (/camunda/api/engine/...),
 * so the engine decides what they see: the audience plugin grants each receiving department READ on
 * the instance and its history, and nobody else gets anything. Labels of categories, sensitivities
 * and departments are the options of the deployed start form (the department picker's are filled
 * from the organisation file), so they are written once, in the form. Names of people who
 * acknowledged are in the receipt the workers record (`acknowledgement.byName`): staff may not read
 * other users. Texts are bound by Angular ({{ }}), never as HTML: they come from process variables.
 */
define(['angular'], function (angular) {
  'use strict';

  var PROCESS = 'information-sharing';
  var ACKNOWLEDGE_TASK = 'Task_Acknowledge';
  var DEPARTMENT_GROUP = 'crossdept-department';
  var MOST = 500;  // instances read at once; the view says so when there are more
  var SHARE_VARIABLES = ['title', 'category', 'sensitivity', 'summary', 'content', 'contentLink', 'shareVersion',
    'previousShareInstance', 'publishedAt', 'acknowledgementDue', 'receivingDepartments', 'publisherDepartment',
    'acknowledgementRequired', 'companyTimeZone'];
  var RECEIPT_VARIABLES = ['acknowledgement', 'feedbackKind', 'feedbackText', 'feedbackAnswer'];

  var TEXT = {
    action: '本部门收到的信息 / Received by my department',
    none: '本部门尚未收到共享信息。 / Your department has not received any shared information yet.',
    noDepartment: '您不属于任何部门，因此这里没有内容。如有疑问，请联系系统管理员。 / You belong to no department, so there is nothing here. Ask the system administrator if this is wrong.',
    failed: '暂时无法读取本部门收到的信息。请刷新页面后重试；如仍不行，请截图并联系流程管理员。 / The received information could not be loaded. Reload the page and try again; if it still fails, send a screenshot to the process administrator.',
    more: '只显示最近 ' + MOST + ' 条。 / Only the latest ' + MOST + ' are shown.',
    hint: '点击标题阅读内容；尚待签收的信息可从那里去签收。 / Click a title to read it; one still to acknowledge can be acknowledged from there.',
    feedback: {error: '发现错误 / Error reported', question: '有疑问 / Question'}
  };

  function engine(path) { return 'engine://engine/:engine/' + path; }

  function parsed(variable) {
    if (!variable || variable.value === null || variable.value === undefined) { return null; }
    if (variable.type !== 'Json' || typeof variable.value !== 'string') { return variable.value; }
    try { return JSON.parse(variable.value); } catch (e) { return null; }
  }

  // The options of the deployed start form's selects and pickers, by field key: value -> label.
  function optionLabels(form) {
    var labels = {};
    (function walk(components) {
      (components || []).forEach(function (component) {
        if (component.key && Array.isArray(component.values)) {
          labels[component.key] = {};
          component.values.forEach(function (option) { labels[component.key][option.value] = option.label; });
        }
        walk(component.components);
      });
    })((form && form.components) || []);
    return labels;
  }

  // Company time (the publish step's time zone, which the workers record beside the share).
  function when(moment, zone) {
    if (!moment) { return ''; }
    var date = new Date(moment);
    if (isNaN(date.getTime())) { return ''; }
    var options = {year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false};
    try {
      return new Intl.DateTimeFormat('zh-CN', angular.extend(options, zone ? {timeZone: zone} : {})).format(date);
    } catch (e) {  // an unknown zone name: the browser's own time is better than nothing
      return new Intl.DateTimeFormat('zh-CN', options).format(date);
    }
  }

  // One department's receipt of one share: the workers' record once acknowledged, else its open task.
  function receiptState(share, receipt, task, now) {
    var zone = share.companyTimeZone;
    if (receipt && receipt.acknowledgement && receipt.acknowledgement.by) {
      var ack = receipt.acknowledgement;
      var who = ack.byName || ack.by;
      return ack.late ?
        {kind: 'late', text: '逾期签收：' + who + '，' + when(ack.at, zone) + ' / Acknowledged late'} :
        {kind: 'done', text: '已签收：' + who + '，' + when(ack.at, zone) + ' / Acknowledged'};
    }
    if (task) {
      var due = task.due || share.acknowledgementDue;
      return due && new Date(due) < now ?
        {kind: 'overdue', text: '逾期未签收（截止 ' + when(due, zone) + '） / Overdue, not acknowledged'} :
        {kind: 'open', text: '待签收，截止 ' + when(due, zone) + ' / To acknowledge'};
    }
    if (share.acknowledgementRequired === false) {
      return {kind: 'none', text: '无需签收 / No acknowledgement required'};
    }
    return share.ended ?
      {kind: 'missing', text: '未签收 / Not acknowledged'} :
      {kind: 'recording', text: '签收登记中 / Being recorded'};
  }

  function byInstance(variables) {
    var shares = {}, scopes = {};
    variables.forEach(function (variable) {
      var value = parsed(variable);
      if (SHARE_VARIABLES.indexOf(variable.name) >= 0 && variable.executionId === variable.processInstanceId) {
        (shares[variable.processInstanceId] = shares[variable.processInstanceId] || {})[variable.name] = value;
      } else if (RECEIPT_VARIABLES.indexOf(variable.name) >= 0) {
        // The receiving subprocess's local variables, one scope execution per department (they all
        // share the multi-instance's activity instance id, so that cannot tell them apart).
        var scope = scopes[variable.executionId] = scopes[variable.executionId] ||
          {processInstanceId: variable.processInstanceId};
        scope[variable.name] = value;
      }
    });
    return {shares: shares, scopes: Object.keys(scopes).map(function (id) { return scopes[id]; })};
  }

  // The items one department received, newest first, from what the engine let us read.
  function itemsFor(department, instances, read, tasks, labels, now) {
    var correctedBy = {};
    instances.forEach(function (instance) {
      var share = read.shares[instance.id];
      if (share && share.previousShareInstance) { correctedBy[share.previousShareInstance] = share.shareVersion; }
    });
    var items = [];
    instances.forEach(function (instance) {
      var share = read.shares[instance.id];
      if (!share || !share.publishedAt || (share.receivingDepartments || []).indexOf(department) < 0) { return; }
      share.ended = Boolean(instance.endTime);
      var receipt = read.scopes.filter(function (scope) {
        return scope.processInstanceId === instance.id && scope.acknowledgement &&
          scope.acknowledgement.department === department;
      })[0];
      var task = tasks.filter(function (t) { return t.processInstanceId === instance.id; })[0];
      var feedbackKind = receipt && TEXT.feedback[receipt.feedbackKind];
      items.push({
        id: instance.id, title: share.title, version: share.shareVersion,
        correctedBy: correctedBy[instance.id] || null,
        corrects: share.previousShareInstance ? share.shareVersion - 1 : null,
        category: (labels.category || {})[share.category] || share.category,
        sensitivity: (labels.sensitivity || {})[share.sensitivity] || share.sensitivity,
        publisher: (labels.targetDepartments || {})[share.publisherDepartment] || share.publisherDepartment,
        deliveredAt: when(share.publishedAt, share.companyTimeZone), delivered: share.publishedAt,
        state: receiptState(share, receipt, task, now),
        feedback: feedbackKind ? {kind: feedbackKind, text: receipt.feedbackText, answer: receipt.feedbackAnswer} : null,
        summary: share.summary, content: share.content,
        contentLink: /^https?:\/\//i.test(share.contentLink || '') ? share.contentLink : null,
        taskId: task ? task.id : null
      });
    });
    return items.sort(function (a, b) { return new Date(b.delivered) - new Date(a.delivered); });
  }

  var TEMPLATE = [
    '<div class="modal-header"><h3 class="modal-title">{{ text.action }}</h3></div>',
    '<div class="modal-body crossdept-received">',
    '  <p ng-if="loading" class="text-muted">正在读取… / Loading…</p>',
    '  <div ng-if="failed" class="alert alert-danger">{{ text.failed }}</div>',
    '  <p ng-if="!loading && !failed && !departments.length" class="crossdept-received-empty">{{ text.noDepartment }}</p>',
    '  <section ng-repeat="department in departments" class="crossdept-received-department" data-department="{{ department.id }}">',
    '    <h4>{{ department.name }}</h4>',
    '    <p ng-if="!department.items.length" class="crossdept-received-empty">{{ text.none }}</p>',
    '    <p ng-if="department.more" class="text-muted">{{ text.more }}</p>',
    '    <p ng-if="department.items.length" class="text-muted">{{ text.hint }}</p>',
    '    <table ng-if="department.items.length" class="table table-condensed crossdept-received-list">',
    '      <thead><tr><th>标题 / Title</th><th>版本 / Version</th><th>分类 / Category</th><th>敏感程度 / Sensitivity</th>',
    '        <th>发布部门 / Published by</th><th>送达时间 / Delivered</th><th>签收状态 / Acknowledgement</th><th>反馈与答复 / Feedback</th></tr></thead>',
    '      <tbody ng-repeat="item in department.items" class="crossdept-received-item" data-instance="{{ item.id }}">',
    '        <tr>',
    '          <td><a href ng-click="item.open = !item.open" class="crossdept-received-open" title="查看内容 / Open">{{ item.title }}</a></td>',
    '          <td>第 {{ item.version }} 版<span ng-if="item.corrects"><br>更正第 {{ item.corrects }} 版</span>',
    '            <span ng-if="item.correctedBy" class="label label-warning crossdept-received-corrected">已由第 {{ item.correctedBy }} 版更正</span></td>',
    '          <td>{{ item.category }}</td><td>{{ item.sensitivity }}</td><td>{{ item.publisher }}</td><td>{{ item.deliveredAt }}</td>',
    '          <td class="crossdept-received-state crossdept-received-state-{{ item.state.kind }}">{{ item.state.text }}</td>',
    '          <td><div ng-if="item.feedback" class="crossdept-received-feedback">',
    '            <div><strong>反馈（{{ item.feedback.kind }}）：</strong>{{ item.feedback.text }}</div>',
    '            <div ng-if="item.feedback.answer"><strong>答复 / Answer：</strong>{{ item.feedback.answer }}</div>',
    '            <div ng-if="!item.feedback.answer" class="text-muted">尚未答复 / Not answered yet</div></div></td>',
    '        </tr>',
    '        <tr ng-if="item.open" class="crossdept-received-detail"><td colspan="8">',
    '          <dl>',
    '            <dt ng-if="item.summary">摘要 / Summary</dt><dd ng-if="item.summary" class="crossdept-received-summary">{{ item.summary }}</dd>',
    '            <dt ng-if="item.content">内容 / Content</dt><dd ng-if="item.content" class="crossdept-received-content">{{ item.content }}</dd>',
    '            <dt ng-if="item.contentLink">文档链接 / Link to the document</dt>',
    '            <dd ng-if="item.contentLink"><a ng-href="{{ item.contentLink }}" target="_blank" rel="noopener noreferrer">{{ item.contentLink }}</a></dd>',
    '          </dl>',
    '          <a ng-if="item.taskId" ng-href="#/?forceDisplayTask=true&task={{ item.taskId }}" ng-click="$close()" class="btn btn-primary btn-sm crossdept-received-task">去签收 / Acknowledge receipt</a>',
    '        </td></tr>',
    '      </tbody>',
    '    </table>',
    '  </section>',
    '</div>',
    '<div class="modal-footer"><button class="btn btn-default" ng-click="$dismiss()">关闭 / Close</button></div>'
  ].join('\n');

  var ReceivedController = ['$scope', '$http', '$q', 'Uri', function ($scope, $http, $q, Uri) {
    $scope.text = TEXT;
    $scope.loading = true;
    var user = $scope.$root.authentication && $scope.$root.authentication.name;

    function get(path, params) {
      return $http.get(Uri.appUri(engine(path)), {params: params}).then(function (r) { return r.data; });
    }

    function readVariables(instances) {
      if (!instances.length) { return $q.resolve([]); }
      return $http.post(Uri.appUri(engine('history/variable-instance')), {
        processInstanceIdIn: instances.map(function (i) { return i.id; }),
        variableNameIn: SHARE_VARIABLES.concat(RECEIPT_VARIABLES)
      }, {params: {deserializeValues: false}}).then(function (r) { return r.data; });
    }

    function openTasks(department) {
      return get('task', {processDefinitionKey: PROCESS, taskDefinitionKey: ACKNOWLEDGE_TASK,
        candidateGroup: department, includeAssignedTasks: true});
    }

    $q.all({
      groups: get('group', {member: user, type: DEPARTMENT_GROUP, sortBy: 'id', sortOrder: 'asc'}),
      form: get('process-definition/key/' + PROCESS + '/deployed-start-form').catch(function () { return null; }),
      instances: get('history/process-instance', {processDefinitionKey: PROCESS, sortBy: 'startTime',
        sortOrder: 'desc', maxResults: MOST})
    }).then(function (found) {
      return $q.all({
        variables: readVariables(found.instances),
        tasks: $q.all(found.groups.map(function (g) { return openTasks(g.id); }))
      }).then(function (more) {
        var read = byInstance(more.variables), labels = optionLabels(found.form), now = new Date();
        $scope.departments = found.groups.map(function (group, index) {
          return {id: group.id, name: (labels.targetDepartments || {})[group.id] || group.name,
            items: itemsFor(group.id, found.instances, read, more.tasks[index], labels, now),
            more: found.instances.length >= MOST};
        });
      });
    }).catch(function () {
      $scope.failed = true;
    }).finally(function () {
      $scope.loading = false;
    });
  }];

  var ngModule = angular.module('crossdept.received', []);

  ngModule.config(['ViewsProvider', function (ViewsProvider) {
    ViewsProvider.registerDefaultView('tasklist.navbar.action', {
      id: 'crossdept-received-action',
      priority: 200,  // between 启动流程 (100) and 快捷键 (300)
      template: '<a href ng-click="open()"><span class="glyphicon glyphicon-inbox"></span> ' + TEXT.action + '</a>',
      controller: ['$scope', '$uibModal', function ($scope, $uibModal) {
        $scope.open = function () {
          $uibModal.open({size: 'lg', windowClass: 'crossdept-received-modal', template: TEMPLATE,
            controller: ReceivedController}).result.catch(function () { /* closed */ });
        };
      }]
    });
  }]);

  return ngModule;
});
