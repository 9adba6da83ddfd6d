# The platform's services: name, project folder, assembly, default gRPC port (HTTP port = gRPC port + 1000).
# Sourced by up.sh and down.sh.
CAUCHY_SERVICES=(
  "datasets services/datasets Cauchy.Datasets 50051"
  "orchestrator services/orchestrator Cauchy.Orchestrator 50052"
  "trainer services/trainer Cauchy.Trainer 50053"
  "metrics services/metrics Cauchy.Metrics 50054"
  "registry services/registry Cauchy.Registry 50055"
)
RUN_DIR="${CAUCHY_RUN_DIR:-$(pwd)/.run}"
# Tests run a second platform beside a developer's own by shifting every port.
PORT_OFFSET="${CAUCHY_PORT_OFFSET:-0}"
