/*
 * Copyright Camunda Services GmbH and/or licensed to Camunda Services GmbH
 * under one or more contributor license agreements. See the NOTICE file
 * distributed with this work for additional information regarding copyright
 * ownership. Camunda licenses this file to you under the Apache License,
 * Version 2.0; you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/*
 * crossdept: Tasklist configuration, replacing the one in camunda-webapp-webjar 7.24.0 (Spring Boot
 * serves this jar's own META-INF/resources before the webjar's). Differences from Camunda's file:
 * the locales. Tasklist picks the browser's first language if it is listed here, else the fallback;
 * Simplified Chinese (../locales/zh.json, ours) is the fallback, so the demo is in Chinese unless a
 * browser asks for English or German. And requireJsConfig loads our modules: crossdept-forms.js keeps
 * Complete usable on Camunda Forms with dynamic lists, crossdept-formjs-zh.js puts form-js's own
 * texts into Chinese, crossdept-formjs-input.js keeps what is typed fast (form-js's delayed input),
 * crossdept-feedback.js confirms a completion and explains a refused one,
 * crossdept-documents.js offers a project's documents above its tasks' forms, crossdept-received.js adds
 * 本部门收到的信息 / Received by my department to the navbar (see each file). Keep `shortcuts` in step with
 * Camunda's file when upgrading.
 */
export default {
  requireJsConfig: {
    // Relative to the page (app/tasklist/<engine>/): ../scripts/ is this folder.
    baseUrl: '../',
    deps: ['scripts/crossdept-forms', 'scripts/crossdept-formjs-zh', 'scripts/crossdept-formjs-input',
      'scripts/crossdept-feedback', 'scripts/crossdept-documents', 'scripts/crossdept-received'],
    ngDeps: ['crossdept.forms', 'crossdept.formjs-zh', 'crossdept.formjs-input', 'crossdept.feedback',
      'crossdept.documents', 'crossdept.received']
  },

  locales: {
    availableLocales: ['zh', 'en', 'de'],
    fallbackLocale: 'zh'
  },

  shortcuts: {
    claimTask: {
      key: 'ctrl+alt+c',
      description: 'claims the currently selected task'
    },
    focusFilter: {
      key: 'ctrl+shift+f',
      description: 'set the focus to the first filter in the list'
    },
    focusList: {
      key: 'ctrl+alt+l',
      description: 'sets the focus to the first task in the list'
    },
    focusForm: {
      key: 'ctrl+alt+f',
      description: 'sets the focus to the first input field in a task form'
    },
    startProcess: {
      key: 'ctrl+alt+p',
      description: 'opens the start process modal dialog'
    }
  }
};
