/*
 * crossdept: one way for our Tasklist modules to add to the cam-tasklist-form directive, the one
 * place Tasklist 7.24 validates and completes a form (task forms and start forms). Angular's
 * decorator replaces the directive's controller with one that runs Tasklist's own first and then
 * `extend(form, $scope, services)`: `form` is the controller (notifyFormValidated and the other
 * hooks the form types call), `services` the ones named in `needs`, in that order. Decorators
 * compose, so each module extends the form on its own.
 */
define([], function () {
  'use strict';

  return function extendTasklistForm($provide, needs, extend) {
    $provide.decorator('camTasklistFormDirective', ['$delegate', function ($delegate) {
      var directive = $delegate[0];
      var dependencies = directive.controller.slice(0, -1);
      var controller = directive.controller[directive.controller.length - 1];

      directive.controller = dependencies.concat(needs, [function () {
        var injected = Array.prototype.slice.call(arguments, 0, dependencies.length);
        var services = Array.prototype.slice.call(arguments, dependencies.length);
        controller.apply(this, injected);
        extend(this, injected[dependencies.indexOf('$scope')], services);
      }]);
      return $delegate;
    }]);
  };
});
