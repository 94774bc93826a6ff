// The page's own script, served as a file like the bundle (the page's policy allows no inline script).
// It runs before the bundle: Monaco reads MonacoEnvironment when it loads, and asks getWorkerUrl for each
// editor's worker; the workers are files of this server too (yoga's page makes blob: URLs of inlined
// copies). GraphiQL renders once the document is parsed, with the options the page carries as JSON.

/** The id of the page's JSON element: { workers: { <label>: url }, options: GraphiQLOptions }. */
export const CONFIG_ELEMENT_ID = 'graphiql-config';

export const BOOT_SCRIPT = `(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('${CONFIG_ELEMENT_ID}').textContent);
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) {
      return config.workers[label] || config.workers.editorWorkerService;
    },
  };
  document.addEventListener('DOMContentLoaded', function () {
    self.YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), config.options);
  });
})();
`;
