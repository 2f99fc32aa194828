/*
 * crossdept: nothing typed into a Camunda Form is lost, however fast it is typed.
 *
 * form-js 1.8.7 (Tasklist 7.24) passes a text field's, text area's or number field's input to the
 * form 300 ms after the last keystroke (or on blur), yet draws every field from the form's data:
 * any redraw of the form in those 300 ms writes the field's older value back into it, and what was
 * typed since is gone. A redraw comes from any other field's change, and the number field makes
 * one by itself: it sends its value once more 300 ms after its blur. So a score followed by a
 * comment typed at once lost the start of the comment (feasibility assessment, measured in
 * tests/browser/test_fast_typing.py; form-js's code has it unchanged up to today).
 *
 * form-js has a switch for this, its `debounce` setting (`false`: every input goes to the form at
 * once, so the data a redraw uses is always what the field shows), but Tasklist creates the Form
 * itself with only its container and keeps it private to its directive. What the page does reach
 * is the form's Preact tree under its .fjs-container: its FormContext carries getService, which
 * gives form-js's own `config`, the object the fields read `debounce` from on every draw. So,
 * once Tasklist says the form is drawn (notifyFormInitialized, right after importSchema), this
 * module sets `debounce: false` there and redraws the form once, so that the fields drawn before
 * read it too. Preact's `__k` (a node's children) is the one name outside form-js's API relied on:
 * if a Camunda upgrade changes it, the form is left as it is and the fast-typing test fails.
 */
define(['angular', 'scripts/crossdept-extend-form'], function (angular, extendTasklistForm) {
  'use strict';

  // Depth first through the Preact tree: the first node `found` accepts, with its parent.
  function search(node, parent, found) {
    if (!node || typeof node !== 'object') {
      return null;
    }
    if (found(node)) {
      return {node: node, parent: parent};
    }
    var children = node.__k || [];
    for (var i = 0; i < children.length; i++) {
      var match = search(children[i], node, found);
      if (match) {
        return match;
      }
    }
    return null;
  }

  function providesServices(node) {
    return !!(node.props && node.props.value && typeof node.props.value.getService === 'function');
  }

  function sendEveryInput(element) {
    var container = element.querySelector('.fjs-container');
    var match = container && search(container.__k, null, providesServices);
    if (!match) {
      return;  // not a Camunda Form (generic, embedded) or not drawn
    }
    match.node.props.value.getService('config').debounce = false;
    var drawing = match.parent && match.parent.__c;  // the component that draws the whole form
    if (drawing && typeof drawing.forceUpdate === 'function') {
      drawing.forceUpdate();
    }
  }

  var ngModule = angular.module('crossdept.formjs-input', []);

  ngModule.config(['$provide', function ($provide) {
    extendTasklistForm($provide, ['$element'], function (form, $scope, services) {
      var $element = services[0];
      var initialized = form.notifyFormInitialized;
      form.notifyFormInitialized = function () {
        var result = initialized.apply(this, arguments);
        sendEveryInput($element[0]);
        return result;
      };
    });
  }]);

  return ngModule;
});
