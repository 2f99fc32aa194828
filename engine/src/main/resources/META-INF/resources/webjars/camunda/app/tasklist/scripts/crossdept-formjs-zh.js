/*
 * crossdept: form-js in Chinese. Tasklist 7.24 draws Camunda Forms with form-js 1.8, whose viewer
 * has no i18n API: its validation messages ("Field is required.") and its own words ("Select",
 * "Add new", "Search") are literals in lib/deps.js, and the Form instance Tasklist creates is
 * private to its directive, so its services cannot be replaced. What form-js does expose
 * dependably is what it renders, under .fjs-container. So this module translates the rendered
 * strings: a MutationObserver rewrites each known text (and placeholder / aria-label) as form-js
 * writes it. Preact only rewrites a text node when its own value changes, and then the observer
 * translates the new value, so a translated text stays translated. Only while Tasklist itself
 * speaks Chinese: an English Tasklist keeps form-js's English.
 *
 * Messages for people (validation) are bilingual, Chinese first; the form's own chrome is in
 * Chinese only, like the rest of the Chinese Tasklist. When upgrading Camunda, search deps.js for
 * the English texts below: a text form-js changed is then shown in English again, not broken.
 */
define(['angular'], function (angular) {
  'use strict';

  // form-js 1.8.7's texts, word for word (whitespace around them is kept as it is).
  var EXACT = {
    'Field is required.': '此项为必填项 / This field is required.',
    'Field must be a valid email.': '请填写有效的电子邮件地址 / Enter a valid e-mail address.',
    'Field must be a valid  international phone number. (e.g. +4930664040900)':
      '请填写有效的国际电话号码，如 +861012345678 / Enter a valid international phone number, e.g. +861012345678.',
    'Value is not a number.': '请填写数字 / Enter a number.',
    'Value is expected to be an integer.': '请填写整数 / Enter a whole number.',
    'Select': '请选择',
    'Add new': '添加一项',
    'Collapse': '收起',
    'Search': '搜索',
    'No results': '没有匹配的选项',
    'All values selected': '已全部选择',
    'Nothing to show.': '暂无数据',
    'No content to show.': '暂无内容',
    'Previous page': '上一页',
    'Next page': '下一页',
    'Remove tag': '移除'
  };

  // The texts form-js builds with a value in them: [pattern, Chinese / English with $1, $2].
  var PATTERNS = [
    [/^Field must have maximum length of (\d+)\.$/, '最多填写 $1 个字 / At most $1 characters.'],
    [/^Field must have minimum length of (\d+)\.$/, '至少填写 $1 个字 / At least $1 characters.'],
    [/^Field must have maximum value of (.+)\.$/, '不能大于 $1 / Must be at most $1.'],
    [/^Field must have minimum value of (.+)\.$/, '不能小于 $1 / Must be at least $1.'],
    // The pattern itself is a regular expression: no help to the person filling the form.
    [/^Field must match pattern .+\.$/, '格式不符合要求，请按字段说明填写 / Not in the required format: see the field\'s description.'],
    [/^Value is expected to have at most (\d+) decimal digits?\.$/, '最多保留 $1 位小数 / At most $1 decimal places.'],
    [/^Please select a valid value, the two nearest valid values are (.+) and (.+)\.$/,
      '请填写有效的数值，最接近的是 $1 和 $2 / Enter a valid value: the nearest are $1 and $2.'],
    [/^Expand all \((\d+)\)$/, '全部展开（$1）'],
    [/^Remove list item (\d+)$/, '删除第 $1 项']
  ];
  var ATTRIBUTES = ['placeholder', 'aria-label', 'title'];

  function translate(text) {
    var trimmed = text.trim();
    if (!trimmed) {
      return text;
    }
    var chinese = EXACT.hasOwnProperty(trimmed) ? EXACT[trimmed] : null;
    for (var i = 0; chinese === null && i < PATTERNS.length; i++) {
      if (PATTERNS[i][0].test(trimmed)) {
        chinese = trimmed.replace(PATTERNS[i][0], PATTERNS[i][1]);
      }
    }
    return chinese === null ? text : text.replace(trimmed, chinese);
  }

  function insideForm(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return !!(element && element.closest('.fjs-container'));
  }

  function translateTree(root) {
    if (root.nodeType === Node.TEXT_NODE) {
      var translated = translate(root.data);
      if (translated !== root.data && insideForm(root)) {
        root.data = translated;
      }
      return;
    }
    // Tasklist adds far more outside forms than in them: leave those subtrees at one look each.
    if (root.nodeType !== Node.ELEMENT_NODE || !(insideForm(root) || root.querySelector('.fjs-container'))) {
      return;
    }
    var elements = [root].concat(Array.prototype.slice.call(root.querySelectorAll('*')));
    elements.forEach(function (element) {
      ATTRIBUTES.forEach(function (name) {
        var value = element.getAttribute(name);
        if (value && translate(value) !== value && insideForm(element)) {
          element.setAttribute(name, translate(value));
        }
      });
    });
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var text = walker.nextNode(); text; text = walker.nextNode()) {
      translateTree(text);
    }
  }

  function observe(speaksChinese) {
    var observer = new MutationObserver(function (mutations) {
      if (!speaksChinese()) {
        return;
      }
      mutations.forEach(function (mutation) {
        if (mutation.type === 'childList') {
          Array.prototype.forEach.call(mutation.addedNodes, translateTree);
        } else {
          translateTree(mutation.target);
        }
      });
    });
    observer.observe(document.body, {
      childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES
    });
  }

  var ngModule = angular.module('crossdept.formjs-zh', []);
  ngModule.run(['$translate', function ($translate) {
    observe(function () {
      return ($translate.use() || $translate.proposedLanguage() || '').indexOf('zh') === 0;
    });
  }]);

  return ngModule;
});
