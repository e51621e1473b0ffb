# A CACAO 2.0 playbook written elsewhere (no casefile extension) imports
# as manual actions whose checklist is the CACAO commands and whose owners
# are the agents; step types casefile does not support are refused by name.
. "$CLI_LIB"
cat >soc.json <<'J'
{"type":"playbook","spec_version":"cacao-2.0","id":"playbook--5f1e7c4a-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
 "name":"Isolate a host","created_by":"identity--5f1e7c4a-2b3d-4e5f-8a9b-0c1d2e3f4a5c",
 "created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",
 "workflow_start":"start--1",
 "workflow":{
  "start--1":{"type":"start","on_completion":"action--2"},
  "action--2":{"type":"action","name":"Isolate the host","agent":"individual--3",
    "commands":[{"type":"manual","command":"Unplug the network cable"},
                {"type":"manual","command":"Photograph the screen"}],
    "on_completion":"if-condition--5"},
  "if-condition--5":{"type":"if-condition","condition":"[file:name = 'ransom.txt']",
    "on_true":"action--6","on_false":"end--4","on_completion":"end--4"},
  "action--6":{"type":"action","name":"Call the FBI","agent":"individual--3",
    "commands":[{"type":"manual","command":"Call the field office"}],"on_completion":"end--4"},
  "end--4":{"type":"end"}},
 "agent_definitions":{"individual--3":{"type":"individual","name":"soc-analyst"}}}
J
expect_status 0 casefile playbook import --cacao -o soc.yaml soc.json
expect_status 0 casefile playbook validate soc.yaml
expect_status 0 casefile playbook show soc.yaml
expect_grep '^isolate-a-host: Isolate a host$' out
expect_grep '^  isolate-the-host \[action\] Isolate the host$' out
expect_grep '^ +owner: soc-analyst$' out
expect_grep '^ +\[ \] Photograph the screen$' out
expect_grep "question: \[file:name = 'ransom.txt'\]" out
expect_grep 'yes -> call-the-fbi, no -> end' out
sed 's/"type":"if-condition"/"type":"while-condition"/' soc.json >while.json
expect_status 3 casefile playbook import --cacao while.json
expect_grep "CACAO step 'if-condition--5' has type 'while-condition'" err
echo '{"type":"playbook","spec_version":"cacao-1.0"}' >old.json
expect_status 3 casefile playbook import --cacao old.json
expect_grep 'not a CACAO 2.0 playbook' err
