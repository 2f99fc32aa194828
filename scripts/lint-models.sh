#!/bin/sh
# Lints bpmn/*.bpmn with bpmnlint and dmn/*.dmn with dmnlint (configs: .bpmnlintrc, .dmnlintrc).
# Usage: npm run lint:models [-- ROOT]   (ROOT holds bpmn/ and dmn/; default: the repository)
# A folder without models is fine: the globs would otherwise reach the linters unexpanded.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "${1:-$repo}" && pwd) || exit 2
cd "$repo" # the linters resolve their plugins from here
bin=$repo/node_modules/.bin
status=0

lint() { # linter config folder suffix
  linter=$1 config=$2 folder=$3 suffix=$4
  set -- "$root/$folder"/*."$suffix"
  if [ ! -e "$1" ]; then
    echo "$folder/: no .$suffix files to lint"
    return 0
  fi
  echo "$linter: $# file(s) in $folder/"
  "$bin/$linter" --config "$repo/$config" "$@" || status=1
}

lint bpmnlint .bpmnlintrc bpmn bpmn
lint dmnlint .dmnlintrc dmn dmn
exit $status
