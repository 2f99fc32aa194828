/*
 * crossdept: keeps Tasklist's 完成 / Complete button usable on Camunda Forms with dynamic lists.
 *
 * Tasklist 7.24 disables Complete while the form-js error map has any key. form-js 1.8 records a
 * field inside a dynamic list as errors[fieldId][row], and a corrected field leaves an empty entry
 * behind, so the first edit in any list row disabled Complete for good (the hand-over checklist,
 * the responsibility lists). Here an "invalid" report from a Camunda Form counts only while form-js
 * shows an error on a field; submitting still validates everything, so nothing invalid gets through.
 */
define(['angular'], function (angular) {
  'use strict';

  var ngModule = angular.module('crossdept.forms', []);

  ngModule.config(['$provide', function ($provide) {
    $provide.decorator('camTasklistFormDirective', ['$delegate', function ($delegate) {
      var directive = $delegate[0];
      var dependencies = directive.controller.slice(0, -1);
      var controller = directive.controller[directive.controller.length - 1];

      directive.controller = dependencies.concat(['$element', '$timeout', function () {
        var injected = Array.prototype.slice.call(arguments, 0, dependencies.length);
        var $element = arguments[dependencies.length];
        var $timeout = arguments[dependencies.length + 1];
        var $scope = injected[dependencies.indexOf('$scope')];
        controller.apply(this, injected);

        var notifyFormValidated = this.notifyFormValidated;
        this.notifyFormValidated = function (invalid) {
          var form = $scope.tasklistForm;
          if (!invalid || !form || form.type !== 'camunda-forms' || form.$error) {
            return notifyFormValidated(invalid);
          }
          $timeout(function () {  // after form-js has drawn the errors it means
            notifyFormValidated(!!$element[0].querySelector('.fjs-has-errors'));
          });
        };
      }]);
      return $delegate;
    }]);
  }]);

  return ngModule;
});
