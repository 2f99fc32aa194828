/*
 * crossdept: keeps Tasklist's 完成 / Complete button usable on Camunda Forms with dynamic lists.
 *
 * Tasklist 7.24 disables Complete while the form-js error map has any key. form-js 1.8 records a
 * field inside a dynamic list as errors[fieldId][row], and a corrected field leaves an empty entry
 * behind, so the first edit in any list row disabled Complete for good (the hand-over checklist,
 * the responsibility lists). Here an "invalid" report from a Camunda Form counts only while form-js
 * shows an error on a field; submitting still validates everything, so nothing invalid gets through.
 */
define(['angular', 'scripts/crossdept-extend-form'], function (angular, extendTasklistForm) {
  'use strict';

  var ngModule = angular.module('crossdept.forms', []);

  ngModule.config(['$provide', function ($provide) {
    extendTasklistForm($provide, ['$element', '$timeout'], function (form, $scope, services) {
      var $element = services[0];
      var $timeout = services[1];
      var notifyFormValidated = form.notifyFormValidated;
      form.notifyFormValidated = function (invalid) {
        var tasklistForm = $scope.tasklistForm;
        if (!invalid || !tasklistForm || tasklistForm.type !== 'camunda-forms' || tasklistForm.$error) {
          return notifyFormValidated(invalid);
        }
        $timeout(function () {  // after form-js has drawn the errors it means
          notifyFormValidated(!!$element[0].querySelector('.fjs-has-errors'));
        });
      };
    });
  }]);

  return ngModule;
});
