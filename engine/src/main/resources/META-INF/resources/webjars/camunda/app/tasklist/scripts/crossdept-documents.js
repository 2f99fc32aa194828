/*
 * crossdept: 项目文件 / Project documents on every task of a project (issue 12).
 *
 * A project-cooperation instance lists its documents in the Json variable `projectDocuments`
 * (application, feasibility report, agreement, minutes, acceptance report: kind, title, version,
 * variable) and keeps each PDF as a File variable `doc_<kind>_<n>`. Above the task's form this
 * module shows that list, each document a link to the task's own variable data through the webapp's
 * session-authenticated REST (/camunda/api/engine/engine/default/task/{id}/variables/{name}/data):
 * whoever may read the task may download, and the engine's authorization refuses everyone else,
 * exactly as it does for the form. A document whose File variable is not on this instance (kept by
 * another phase's instance) is listed without a link, with where it is archived. Tasks of other
 * processes have no `projectDocuments`, and get no panel. Texts are set with textContent, never as
 * HTML: titles come from process variables.
 */
define(['angular', 'scripts/crossdept-extend-form'], function (angular, extendTasklistForm) {
  'use strict';

  var PANEL_CLASS = 'crossdept-documents';
  var HEADING = '项目文件 / Project documents';
  var NOT_HERE = '（保存在项目其他阶段的流程中，归档于 / kept by another phase, archived as ';

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function parsed(variable) {
    if (!variable || variable.value === null || variable.value === undefined) { return []; }
    try {
      var value = typeof variable.value === 'string' ? JSON.parse(variable.value) : variable.value;
      return Array.isArray(value) ? value : [];
    } catch (e) {
      return [];
    }
  }

  function panel(documents, variables, dataUri) {
    var box = element('div', PANEL_CLASS + ' well well-sm');
    box.appendChild(element('h4', null, HEADING));
    var list = element('ul', 'list-unstyled');
    documents.forEach(function (doc) {
      var item = element('li');
      var label = (doc.title || doc.kind || '') + (doc.version ? '（第 ' + doc.version + ' 版 / v' + doc.version + '）' : '');
      var file = variables[doc.variable];
      if (file && file.type === 'File') {
        var link = element('a', null, label);
        link.href = dataUri(doc.variable);
        link.setAttribute('download', (file.valueInfo && file.valueInfo.filename) || doc.variable + '.pdf');
        link.setAttribute('data-variable', doc.variable);
        item.appendChild(link);
      } else {
        item.appendChild(element('span', null, label + NOT_HERE + (doc.archive_path || '') + '）'));
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  var ngModule = angular.module('crossdept.documents', []);

  ngModule.config(['$provide', function ($provide) {
    extendTasklistForm($provide, ['$element', '$http', 'Uri'], function (form, $scope, services) {
      var $element = services[0], $http = services[1], Uri = services[2];

      function show(taskId) {
        var old = $element[0].querySelector('.' + PANEL_CLASS);
        if (old) { old.parentNode.removeChild(old); }
        if (!taskId) { return; }  // a start form: no instance yet
        var base = 'engine://engine/:engine/task/' + encodeURIComponent(taskId) + '/variables';
        $http.get(Uri.appUri(base + '?deserializeValues=false')).then(function (response) {
          var variables = response.data || {};
          var documents = parsed(variables.projectDocuments);
          if (!documents.length || !$scope.params || $scope.params.taskId !== taskId) { return; }
          $element[0].insertBefore(panel(documents, variables, function (name) {
            return Uri.appUri(base + '/' + encodeURIComponent(name) + '/data');
          }), $element[0].firstChild);
        }, function () { /* not readable: the form itself says why */ });
      }

      $scope.$watch('params.taskId', show);
    });
  }]);

  return ngModule;
});
