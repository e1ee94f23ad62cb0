#!/bin/sh
# curl demonstration: restart with the same data dir, and a concurrent race
cd "$(dirname "$0")/.." && mkdir -p tmp && rm -rf tmp/c
PORT=$(node -e "const s=require(\"net\").createServer().listen(0,\"127.0.0.1\",()=>{console.log(s.address().port);s.close()})")
K='X-API-Key: strongly-dev-admin'; B=http://127.0.0.1:$PORT/api/v1; J='Content-Type: application/json'
up() { ( ./serve.sh --host 127.0.0.1 --port $PORT --data tmp/c --provision-delay 4 >> tmp/c.log 2>&1 & ); until curl -s -o /dev/null http://127.0.0.1:$PORT/; do sleep 0.05; done; }
down() { kill -TERM $(cat tmp/c/server.lock); while [ -f tmp/c/server.lock ]; do sleep 0.02; done; }
id() { node -pe 'JSON.parse(require("fs").readFileSync(0)).id'; }
up
W1=$(curl -s -XPOST $B/workspaces -H "$K" -H "$J" -d '{"name":"a","description":"","environmentType":"jupyter"}' | id)
sleep 4.3
W2=$(curl -s -XPOST $B/workspaces -H "$K" -H "$J" -d '{"name":"b","description":"","environmentType":"vscode"}' | id)
for w in $W1 $W2; do curl -s $B/workspaces/$w -H "$K" | node -pe 'const o=JSON.parse(require("fs").readFileSync(0)); "before: "+o.id+" "+o.status+" "+o.url'; done
down; up
for w in $W1 $W2; do curl -s $B/workspaces/$w -H "$K" | node -pe 'const o=JSON.parse(require("fs").readFileSync(0)); "after restart: "+o.id+" "+o.status+" "+o.url'; done
sleep 4
curl -s $B/workspaces/$W2/status -H "$K"; echo
echo "race: 40 concurrent restarts of $W1"; seq 1 40 | xargs -P 40 -I{} curl -s -o /dev/null -w '%{http_code}\n' -XPOST $B/workspaces/$W1/restart -H "$K" | sort | uniq -c
curl -s "$B/workspaces/$W1/logs?type=deploy" -H "$K" | node -pe 'JSON.parse(require("fs").readFileSync(0)).logs'
down
