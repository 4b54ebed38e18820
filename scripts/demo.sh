#!/usr/bin/env bash
# Runs the demo job end to end: simulated shops, ClickHouse, Parquet.
# Expects build/shopetl and a ClickHouse at $CLICKHOUSE_ADDR (make demo
# starts a private one).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${CLICKHOUSE_ADDR:=127.0.0.1:19000}"
export CLICKHOUSE_ADDR
ch_host=${CLICKHOUSE_ADDR%:*}
ch_port=${CLICKHOUSE_ADDR##*:}
ch() { clickhouse-client --host "$ch_host" --port "$ch_port" "$@"; }

orders=${DEMO_ORDERS:-12000}
sim_addr=${DEMO_SIM_ADDR:-127.0.0.1:18080}
export DEMO_SIM_TOKEN=${DEMO_SIM_TOKEN:-demo-token-not-a-secret}
# Buyer names, e-mails, phones and addresses are hashed with this key
# (transform.pii: hash). A real job keeps its key secret and never changes
# it, or the same buyer hashes differently from then on.
export SHOPETL_PII_KEY=${SHOPETL_PII_KEY:-demo-pii-key-not-a-secret}
export DEMO_SIM_URL="http://$sim_addr"

mkdir -p build/demo
build/shopetl sim --addr "$sim_addr" --orders "$orders" --seed 42 --exceptions 3 --token "$DEMO_SIM_TOKEN" > build/demo/sim.out 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null 2>/dev/null -H "Authorization: Bearer $DEMO_SIM_TOKEN" "$DEMO_SIM_URL/shoptima/order?rows=1" && break
  kill -0 $sim_pid 2>/dev/null || { cat build/demo/sim.out; exit 1; }
  sleep 0.1
done
echo "== simulated shops"
sed -n '/^$/q;p' build/demo/sim.out

echo "== shopetl run jobs/demo.yaml"
status=0
build/shopetl run jobs/demo.yaml 2> build/demo/run.log || status=$?
echo "(exit $status; logs in build/demo/run.log)"

# Every run adds a file to each partition it touches; compaction leaves one
# per table, shop and day. Today's partitions (etl_runs) are included:
# compaction is safe beside runs, and the demo's tree should end compacted.
echo
echo "== shopetl compact jobs/demo.yaml"
echo "part files before: $(find build/demo/parquet -name 'part-*.parquet' | wc -l)"
build/shopetl compact jobs/demo.yaml --before "$(date -u -d tomorrow +%F)" || status=1
echo "part files after: $(find build/demo/parquet -name 'part-*.parquet' | wc -l)"

echo
echo "== counts: orders in each simulated shop, in ClickHouse (FINAL), in Parquet"
printf '%-15s %10s %12s\n' SHOP SIMULATOR CLICKHOUSE
for p in shopex ymcart shoptima dage; do
  sim=$(grep "^$p " build/demo/sim.out | sed -E 's/.*\(([0-9]+) orders.*/\1/')
  chn=$(ch -q "SELECT count() FROM shop.orders FINAL WHERE shop = 'demo-$p'")
  printf '%-15s %10s %12s\n' "demo-$p" "$sim" "$chn"
done
build/shopetl parquet jobs/demo.yaml

echo "== a sample analyst query: paid revenue by month and currency"
q="SELECT toStartOfMonth(created_at) AS month, currency, count() AS orders,
  sum(paid_amount) AS paid, sum(refunded_amount) AS refunded
FROM shop.orders FINAL WHERE payment_status != 'unpaid'
GROUP BY month, currency ORDER BY month, currency LIMIT 12"
echo "$q;"
ch -q "$q FORMAT PrettyCompactNoEscapes"

echo "== this run in etl_runs: what each shop read and wrote"
q="SELECT shop, status, orders_read, rows_orders, rows_order_items AS items, rows_refunds AS refunds,
  rows_payments AS payments, rows_shipments AS shipments, quarantined, duration_ms
FROM shop.etl_runs FINAL WHERE run_id = (SELECT max(run_id) FROM shop.etl_runs) ORDER BY shop"
echo "$q;"
ch -q "$q FORMAT PrettyCompactNoEscapes"

echo "== repeat buyers, counted on hashed e-mails (transform.pii: hash)"
q="SELECT shop, uniqExact(buyer_email) AS buyers, countIf(n > 1) AS repeat_buyers, any(buyer_email) AS a_hashed_email
FROM (SELECT shop, buyer_email, count() AS n FROM shop.orders FINAL WHERE buyer_email != '' GROUP BY shop, buyer_email)
GROUP BY shop ORDER BY shop"
echo "$q;"
ch -q "$q FORMAT PrettyCompactNoEscapes"

# Finance's view of the demo year, 2025 (the simulators' orders; each
# shop's days in its timezone). `shopetl sim --exceptions 3` made each
# exception kind a platform can show 3 times; dage also shows every
# refunded order as refund_flag_without_amount, as its API states no
# refund amount. Refunds of shops whose API gives no refund time
# (shoptima, dage) are dated when shopetl first saw them, today, so they
# are not booked in 2025.
echo "== shopetl reconcile jobs/demo.yaml --from 2025-01-01 --to 2025-12-31 --summary"
build/shopetl reconcile jobs/demo.yaml --from 2025-01-01 --to 2025-12-31 --summary
for source in clickhouse parquet; do
  build/shopetl reconcile jobs/demo.yaml --from 2025-01-01 --to 2025-12-31 --source "$source" \
    --format json --out "build/demo/reconcile-$source.json" 2>/dev/null
done
if cmp -s build/demo/reconcile-clickhouse.json build/demo/reconcile-parquet.json; then
  echo "ClickHouse and Parquet give byte-identical reports (build/demo/reconcile-*.json)"
else
  echo "ClickHouse and Parquet reports differ: diff build/demo/reconcile-clickhouse.json build/demo/reconcile-parquet.json"
  status=1
fi
build/shopetl reconcile jobs/demo.yaml --from 2025-12-01 --to 2025-12-31 --html build/demo/reconcile.html \
  --out build/demo/reconcile-2025-12.txt 2>/dev/null
echo "December 2025, day by day: build/demo/reconcile-2025-12.txt, and the page with its chart: build/demo/reconcile.html"
exit $status
