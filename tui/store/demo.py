"""Deterministic demo data in Mission Control's tables: an on-call team's last five months.

`generate_demo(incidents=320, seed=7, now=...)` returns rows (column -> value dicts, keyed by
Mission Control's column names) for every table the app reads; the SQL backend bulk-inserts
them. Pure Python, no I/O: the same seed and the same `now` give identical data. Ids are
uuid4s drawn from the seeded generator, timestamps are aware UTC datetimes rounded to the
second, json columns are dicts.

The catalog (people, teams, configs, checks) does not depend on the number of incidents.
For benchmark sizes only the newest `DETAILED_INCIDENTS` incidents get responders, comments
and history rows; every incident keeps its root hypothesis, evidence links and lifecycle
timestamps, so filters by config and check work on all of them. `iter_demo` hands the same
rows over in parts, for sets too big to hold in memory at once.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import accumulate
from string import Formatter
from typing import Any, TypeVar

from tui.domain.enums import IncidentType, Severity, Status
from tui.domain.lifecycle import (
    HISTORY_ACKNOWLEDGED,
    HISTORY_CREATED,
    HISTORY_RESPONDER_CREATED,
    HISTORY_STATUS_UPDATED,
)
from tui.domain.models import EXTERNAL_RESPONDER_FIELDS, SYSTEM_PERSON_NAME
from tui.domain.plan import HISTORY_HYPOTHESIS_CREATED

Row = dict[str, Any]
T = TypeVar("T")

# Parents before children, so rows can be inserted table by table in this order.
TABLE_ORDER = ("people", "teams", "team_members", "config_items", "checks", "check_statuses",
               "incidents", "responders", "hypotheses", "evidences", "comments", "incident_histories")

PLANNED_SHARE = 0.2
"""Of the incidents people opened (and recorded in detail), how many have an action plan beyond the root."""
_PLAN_AVAILABILITY = (
    ("A deploy of {name} shortly before the first errors", "Roll back {name} to the previous release",
     "Errors started two minutes after the 14:02 deploy of {name}."),
    ("Connection pool of {name} exhausted under load", "Raise the pool size and alert at 80%",
     "Pool at 100/100 connections; requests queue for 30s and time out."),
)
PLANS: dict[IncidentType, tuple[tuple[str, str, str], ...]] = {
    IncidentType.AVAILABILITY: _PLAN_AVAILABILITY,
    IncidentType.RELIABILITY: _PLAN_AVAILABILITY,
    IncidentType.INTEGRATION: _PLAN_AVAILABILITY,
    IncidentType.PERFORMANCE: (
        ("Slow queries on {name} after the index was dropped", "Recreate the index concurrently",
         "p95 went from 80 ms to 2.4 s; the slow log shows sequential scans."),
    ),
    IncidentType.COST: (
        ("{name} autoscaled without an upper bound", "Cap the autoscaler and review the budget alert",
         "Node count tripled overnight with no traffic increase."),
    ),
    IncidentType.SECURITY: (
        ("A credential of {name} leaked in a public build log", "Rotate the credential and scrub the logs",
         "The key appeared in a CI log at 09:14; no use seen yet."),
    ),
    IncidentType.TECHNICAL_DEBT: (
        ("{name} runs on an unsupported runtime", "Upgrade the runtime in the next sprint",
         "End of life was last month; security patches have stopped."),
    ),
    IncidentType.COMPLIANCE: (
        ("Audit logging of {name} was switched off", "Turn audit logging back on and backfill",
         "No audit events since the config change on Monday."),
    ),
}
"""(factor, solution, note) stories for a small action plan, by incident type."""

DETAILED_INCIDENTS = 5_000
"""Newest incidents that get responders, comments and history; older ones keep only their links."""

NIL_UUID = uuid.UUID(int=0)  # Mission Control's agent_id for local (non-agent) configs and checks
HISTORY_SPAN = timedelta(days=150)
MIN_AGE_SECONDS = 15 * 60  # room for a few events between creation and now
EMAIL_DOMAIN = "example.com"


@dataclass
class DemoData:
    """Rows per Mission Control table; `tables()` lists them in insertion (FK) order."""

    people: list[Row] = field(default_factory=list)
    teams: list[Row] = field(default_factory=list)
    team_members: list[Row] = field(default_factory=list)
    config_items: list[Row] = field(default_factory=list)
    checks: list[Row] = field(default_factory=list)
    check_statuses: list[Row] = field(default_factory=list)
    incidents: list[Row] = field(default_factory=list)
    responders: list[Row] = field(default_factory=list)
    hypotheses: list[Row] = field(default_factory=list)
    evidences: list[Row] = field(default_factory=list)
    comments: list[Row] = field(default_factory=list)
    incident_histories: list[Row] = field(default_factory=list)

    def tables(self) -> dict[str, list[Row]]:
        return {name: self[name] for name in TABLE_ORDER}

    def __getitem__(self, table: str) -> list[Row]:
        if table not in TABLE_ORDER:
            raise KeyError(table)
        rows: list[Row] = getattr(self, table)
        return rows

    @property
    def system_person_id(self) -> uuid.UUID:
        found: uuid.UUID = next(p["id"] for p in self.people if p["name"] == SYSTEM_PERSON_NAME and p["email"] is None)
        return found


# -- The catalog ----------------------------------------------------------------------------

# (name, job title, teams)
PEOPLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Priya Raman", "Staff SRE", ("SRE",)),
    ("Marcus Webb", "SRE", ("SRE",)),
    ("Aiko Tanaka", "SRE", ("SRE",)),
    ("Daniel Okafor", "Senior SRE", ("SRE",)),
    ("Noah Fischer", "Engineering Manager", ("SRE", "Platform")),
    ("Sofia Lindqvist", "Platform Engineer", ("Platform",)),
    ("Tomás Herrera", "Platform Engineer", ("Platform",)),
    ("Hannah Schulz", "Senior Platform Engineer", ("Platform",)),
    ("Ravi Menon", "Platform Engineer", ("Platform",)),
    ("Chloe Martin", "Backend Engineer", ("Payments",)),
    ("Omar Haddad", "Tech Lead, Payments", ("Payments",)),
    ("Lucia Rossi", "Backend Engineer", ("Payments",)),
    ("Jonas Becker", "Data Engineer", ("Data",)),
    ("Mei Lin", "Database Reliability Engineer", ("Data", "SRE")),
    ("Kwame Mensah", "Data Engineer", ("Data",)),
    ("Elena Petrova", "Security Engineer", ("Security",)),
    ("Samuel Adeyemi", "Security Lead", ("Security",)),
    ("Grace O'Neill", "Compliance Analyst", ("Security",)),
)
TEAMS = ("SRE", "Platform", "Payments", "Data", "Security")


@dataclass(frozen=True)
class ConfigSpec:
    name: str
    type: str
    config_class: str
    kind: str  # which title templates fit it
    team: str  # who owns it: its team responds
    description: str
    depends_on: tuple[str, ...] = ()


def _configs() -> tuple[ConfigSpec, ...]:
    deploy = ("Kubernetes::Deployment", "Deployment", "service")
    rds = ("AWS::RDS::DBInstance", "DBInstance", "database")
    return (
        ConfigSpec("api-gateway", *deploy, "Platform", "Edge API gateway (Envoy) in front of every public API",
                   ("auth-service", "rate-limit-redis")),
        ConfigSpec("checkout-api", *deploy, "Payments", "Checkout flow API",
                   ("payments-api", "orders-service", "sessions-redis")),
        ConfigSpec("payments-api", *deploy, "Payments", "Card and wallet payments API",
                   ("payments-db", "payments-events")),
        ConfigSpec("orders-service", *deploy, "Payments", "Order placement and tracking",
                   ("orders-db", "orders-events")),
        ConfigSpec("auth-service", *deploy, "Security", "Login, sessions and API tokens",
                   ("users-db", "sessions-redis")),
        ConfigSpec("search-api", *deploy, "Platform", "Product search", ("elasticsearch",)),
        ConfigSpec("inventory-service", *deploy, "Platform", "Stock levels and reservations", ("orders-events",)),
        ConfigSpec("notification-worker", *deploy, "Platform", "Sends e-mail and push notifications",
                   ("email-notifications",)),
        ConfigSpec("ledger-service", *deploy, "Payments", "Double-entry ledger", ("ledger-db", "payments-events")),
        ConfigSpec("web-frontend", *deploy, "Platform", "Server-side rendered storefront", ("api-gateway",)),
        ConfigSpec("fraud-scoring", *deploy, "Security", "Real-time fraud scoring model", ("payments-events",)),
        ConfigSpec("pricing-engine", *deploy, "Data", "Dynamic pricing rules", ("analytics-pg",)),
        ConfigSpec("kafka", "Kubernetes::StatefulSet", "StatefulSet", "stateful", "Data", "Kafka brokers (3 replicas)",
                   ("zookeeper",)),
        ConfigSpec("zookeeper", "Kubernetes::StatefulSet", "StatefulSet", "stateful", "Data", "ZooKeeper ensemble"),
        ConfigSpec("elasticsearch", "Kubernetes::StatefulSet", "StatefulSet", "stateful", "Platform",
                   "Search cluster (5 data nodes)"),
        ConfigSpec("rabbitmq", "Kubernetes::StatefulSet", "StatefulSet", "stateful", "Platform", "RabbitMQ cluster"),
        ConfigSpec("payments-db", *rds, "Payments", "PostgreSQL 15 primary for payments, Multi-AZ"),
        ConfigSpec("orders-db", *rds, "Payments", "PostgreSQL 14 for orders"),
        ConfigSpec("users-db", *rds, "Security", "PostgreSQL 15 for accounts and sessions"),
        ConfigSpec("ledger-db", *rds, "Payments", "PostgreSQL 11 for the ledger"),
        ConfigSpec("analytics-pg", "PostgreSQL::Database", "Database", "database", "Data",
                   "Self-hosted analytics warehouse"),
        ConfigSpec("reporting-replica", "PostgreSQL::Database", "Database", "database", "Data",
                   "Read replica for finance reports", ("analytics-pg",)),
        ConfigSpec("eu-west-1-public-alb", "AWS::ELBv2::LoadBalancer", "LoadBalancer", "lb", "Platform",
                   "Public application load balancer, eu-west-1", ("api-gateway",)),
        ConfigSpec("us-east-1-public-alb", "AWS::ELBv2::LoadBalancer", "LoadBalancer", "lb", "Platform",
                   "Public application load balancer, us-east-1", ("api-gateway",)),
        ConfigSpec("internal-grpc-nlb", "AWS::ELBv2::LoadBalancer", "LoadBalancer", "lb", "Platform",
                   "Internal network load balancer for gRPC services"),
        ConfigSpec("orders-events", "Kafka::Topic", "Topic", "queue", "Data", "Order lifecycle events, 24 partitions",
                   ("kafka",)),
        ConfigSpec("payments-events", "Kafka::Topic", "Topic", "queue", "Payments",
                   "Payment state changes, 12 partitions", ("kafka",)),
        ConfigSpec("email-notifications", "RabbitMQ::Queue", "Queue", "queue", "Platform", "Outgoing e-mail jobs",
                   ("rabbitmq",)),
        ConfigSpec("webhooks-outbound", "RabbitMQ::Queue", "Queue", "queue", "Payments", "Webhooks to merchants",
                   ("rabbitmq",)),
        ConfigSpec("sessions-redis", "AWS::ElastiCache::CacheCluster", "CacheCluster", "cache", "Platform",
                   "Redis 7 session store"),
        ConfigSpec("rate-limit-redis", "AWS::ElastiCache::CacheCluster", "CacheCluster", "cache", "Platform",
                   "Redis 7 rate-limit counters"),
        ConfigSpec("prod-eu-west-1", "Kubernetes::Cluster", "Cluster", "cluster", "Platform",
                   "EKS 1.30 production cluster"),
        ConfigSpec("prod-us-east-1", "Kubernetes::Cluster", "Cluster", "cluster", "Platform",
                   "EKS 1.29 production cluster"),
        ConfigSpec("ip-10-0-12-31.eu-west-1.compute.internal", "Kubernetes::Node", "Node", "node", "Platform",
                   "m6i.2xlarge worker", ("prod-eu-west-1",)),
        ConfigSpec("ip-10-0-47-8.eu-west-1.compute.internal", "Kubernetes::Node", "Node", "node", "Platform",
                   "r6i.xlarge worker (databases pool)", ("prod-eu-west-1",)),
        ConfigSpec("acme-prod-backups", "AWS::S3::Bucket", "Bucket", "bucket", "Data", "Nightly database backups"),
        ConfigSpec("acme-customer-exports", "AWS::S3::Bucket", "Bucket", "bucket", "Data", "CSV exports for customers"),
        ConfigSpec("example.com", "AWS::Route53::HostedZone", "HostedZone", "dns", "Platform", "Public DNS zone"),
        ConfigSpec("bastion-eu-west-1", "AWS::EC2::Instance", "Instance", "vm", "Security", "SSH bastion host"),
    )


CONFIGS = _configs()
CONFIG_BY_NAME = {spec.name: spec for spec in CONFIGS}
CONFIG_STATUS = {"service": "Running", "stateful": "Running", "database": "available", "lb": "active",
                 "queue": "Active", "cache": "available", "cluster": "ACTIVE", "node": "Ready",
                 "bucket": "Available", "dns": "Available", "vm": "running"}
# Health shown for configs that are not healthy; the rest are healthy.
CONFIG_HEALTH = {"payments-db": "warning", "kafka": "unhealthy", "checkout-api": "warning",
                 "ledger-db": "warning", "ip-10-0-47-8.eu-west-1.compute.internal": "unhealthy",
                 "internal-grpc-nlb": "unknown", "acme-customer-exports": "unknown"}
TIERS = {"service": "backend", "stateful": "data", "database": "data", "lb": "edge", "queue": "data",
         "cache": "data", "cluster": "platform", "node": "platform", "bucket": "data", "dns": "edge",
         "vm": "platform"}
"""A config item's `tier` label, by its kind."""
DEGRADED_STATUS = {"warning": "Degraded", "unhealthy": "Error", "unknown": "Unknown"}


@dataclass(frozen=True)
class CheckSpec:
    name: str
    type: str
    target: str  # the config it watches
    canary: str
    description: str
    failure: str  # what the check reports when it fails
    healthy: bool = True


CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec("api-health", "http", "api-gateway", "http-checks", "GET https://api.example.com/healthz",
              "HTTP 503 from /healthz"),
    CheckSpec("checkout-api-health", "http", "checkout-api", "http-checks", "GET /healthz on checkout-api",
              "HTTP 500 from /healthz", healthy=False),
    CheckSpec("payments-api-health", "http", "payments-api", "http-checks", "GET /healthz on payments-api",
              "timeout after 10s"),
    CheckSpec("web-frontend-home", "http", "web-frontend", "http-checks", "GET https://www.example.com/",
              "HTTP 502 Bad Gateway"),
    CheckSpec("auth-login-flow", "http", "auth-service", "http-checks", "POST /login with the synthetic user",
              "HTTP 401 for the synthetic user"),
    CheckSpec("search-api-query", "http", "search-api", "http-checks", "GET /search?q=shoes returns results",
              "empty result set"),
    CheckSpec("orders-service-health", "http", "orders-service", "http-checks", "GET /healthz on orders-service",
              "HTTP 503 from /healthz"),
    CheckSpec("ledger-service-health", "http", "ledger-service", "http-checks", "GET /healthz on ledger-service",
              "timeout after 10s"),
    CheckSpec("payments-db-port", "tcp", "payments-db", "network-checks", "TCP 5432 on payments-db",
              "connection refused"),
    CheckSpec("kafka-broker-9092", "tcp", "kafka", "network-checks", "TCP 9092 on every Kafka broker",
              "broker kafka-2 unreachable", healthy=False),
    CheckSpec("rabbitmq-amqp", "tcp", "rabbitmq", "network-checks", "TCP 5672 on rabbitmq", "connection reset by peer"),
    CheckSpec("payments-db-query", "postgres", "payments-db", "database-checks", "SELECT 1 on payments-db",
              "query timeout after 5s"),
    CheckSpec("orders-db-query", "postgres", "orders-db", "database-checks", "SELECT 1 on orders-db",
              "too many connections"),
    CheckSpec("users-db-query", "postgres", "users-db", "database-checks", "SELECT 1 on users-db",
              "query timeout after 5s"),
    CheckSpec("ledger-db-replication", "postgres", "ledger-db", "database-checks", "Replication lag below 30s",
              "replication lag 94s", healthy=False),
    CheckSpec("analytics-pg-query", "postgres", "analytics-pg", "database-checks", "SELECT 1 on analytics-pg",
              "password authentication failed"),
    CheckSpec("prod-eu-west-1-pods-ready", "kubernetes", "prod-eu-west-1", "k8s-checks",
              "All production pods ready", "7 pods not ready"),
    CheckSpec("notification-worker-pods", "kubernetes", "notification-worker", "k8s-checks",
              "notification-worker pods ready", "2/4 pods in CrashLoopBackOff"),
    CheckSpec("kafka-statefulset-ready", "kubernetes", "kafka", "k8s-checks", "Kafka StatefulSet fully ready",
              "1/3 replicas not ready", healthy=False),
    CheckSpec("example-com-dns", "dns", "example.com", "network-checks", "A record for www.example.com",
              "SERVFAIL from 2 of 4 name servers"),
    CheckSpec("api-example-com-resolve", "dns", "eu-west-1-public-alb", "network-checks",
              "api.example.com resolves to the ALB", "NXDOMAIN"),
    CheckSpec("sessions-redis-ping", "redis", "sessions-redis", "database-checks", "PING sessions-redis",
              "PING timed out after 2s"),
    CheckSpec("public-alb-certificate", "tls", "eu-west-1-public-alb", "network-checks",
              "Certificate on the public ALB valid for 14+ days", "certificate expires in 6 days"),
    CheckSpec("bastion-ping", "icmp", "bastion-eu-west-1", "network-checks", "ICMP to the bastion host",
              "100% packet loss"),
)
CHECK_STATUS_ROWS = 6  # recent results kept per check


# -- Incident stories ---------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    type: IncidentType
    kinds: tuple[str, ...]
    title: str
    impact: str
    severity: Severity | None = None  # fixed for titles that state it


def _t(type_: IncidentType, kinds: str, title: str, impact: str, severity: Severity | None = None) -> Template:
    return Template(type_, tuple(kinds.split()), title, impact, severity)


A, P, R, I = IncidentType.AVAILABILITY, IncidentType.PERFORMANCE, IncidentType.RELIABILITY, IncidentType.INTEGRATION  # noqa: E741 (initials)
S, C, D, K = IncidentType.SECURITY, IncidentType.COST, IncidentType.TECHNICAL_DEBT, IncidentType.COMPLIANCE
TEMPLATES: tuple[Template, ...] = (
    _t(A, "service", "{name} 5xx rate at {pct}%", "Customers see intermittent errors; retries mostly succeed."),
    _t(A, "service", "{name} pods in CrashLoopBackOff after deploy",
       "New pods never become ready, so the rollout is stuck at half capacity."),
    _t(A, "lb", "[SEV1] {name} dropping connections",
       "Clients get connection resets on roughly a third of requests.", Severity.CRITICAL),
    _t(A, "lb", "{name} returning 503 for {region} traffic", "Target group health checks are flapping."),
    _t(A, "service", "{name} unreachable from {region}", "Requests from that region time out at the edge."),
    _t(A, "database", "{name} refusing new connections (max_connections reached)",
       "Application connection pools are exhausted and requests time out."),
    _t(A, "cache stateful", "{name} failover left clients pointing at the old primary",
       "Writes fail with READONLY errors until clients reconnect."),
    _t(A, "dns", "DNS resolution failures for api.{name}", "A share of clients cannot resolve the API hostname."),
    _t(P, "database", "{name} replication lag above {secs}s", "Read replicas serve stale data; reports lag behind."),
    _t(P, "service", "{name} p99 latency above {ms}ms", "Pages load slowly and some mobile clients time out."),
    _t(P, "database", "Slow queries on {name} pinning CPU at {hot}%",
       "A missing index on a new query path causes sequential scans."),
    _t(P, "queue", "{name} consumer lag over {n}k messages", "Downstream processing is delayed by several minutes."),
    _t(P, "cache", "{name} hit ratio dropped to {pct}%", "More traffic falls through to the database."),
    _t(P, "stateful", "{name} GC pauses above {ms}ms", "Clients see request timeouts during long pauses."),
    _t(R, "service stateful", "{name} OOMKilled {n} times in the last hour",
       "The memory limit is too low for the current traffic pattern."),
    _t(R, "database stateful node", "{name} disk usage at {hot}%",
       "At the current growth rate the volume fills within a day."),
    _t(R, "node", "{name} NotReady", "Pods on the node are being evicted and rescheduled."),
    _t(R, "service", "{name} flapping between healthy and unhealthy", "Readiness probes time out under load."),
    _t(R, "cluster", "{name} etcd leader elections every few minutes", "API server requests fail intermittently."),
    _t(I, "service", "Webhook deliveries to {partner} failing from {name}",
       "Partner notifications are queued for retry."),
    _t(I, "service", "{name} cannot reach the {partner} API (TLS handshake timeout)",
       "Calls to the partner fail after the 10s client timeout."),
    _t(I, "queue", "{name} dead-letter queue growing ({n} messages)",
       "Messages that fail validation pile up unprocessed."),
    _t(I, "service", "{partner} callback signatures rejected by {name}",
       "Status updates from the partner are dropped."),
    _t(S, "service vm", "Unexpected IAM role assumption from {name}", "GuardDuty flagged calls from an unusual ASN."),
    _t(S, "bucket", "[SECURITY] {name} bucket policy allows public read",
       "Objects could be listed without authentication.", Severity.CRITICAL),
    _t(S, "service", "Critical CVE in {name} base image ({cve})",
       "The vulnerable library is reachable from a public endpoint."),
    _t(S, "lb", "TLS certificate on {name} expires in {days} days", "Automatic renewal failed twice."),
    _t(S, "vm", "Repeated SSH brute-force attempts on {name}",
       "Thousands of failed logins from a rotating set of IPs."),
    _t(C, "service", "{name} autoscaled to {n} replicas overnight",
       "The HPA target is too aggressive for batch traffic."),
    _t(C, "database cache", "{name} spend up {pct}% week over week",
       "Provisioned capacity was raised during an incident and never reverted."),
    _t(C, "bucket", "{name} storage grew {small} TB in a week", "Lifecycle rules are not expiring old objects."),
    _t(C, "node cluster", "Unattached EBS volumes left behind by {name}", "Orphaned volumes cost money every month."),
    _t(D, "database", "{name} still on PostgreSQL 11 (end of life)",
       "No more security patches; the upgrade keeps slipping."),
    _t(D, "service", "{name} uses a deprecated Kubernetes API (policy/v1beta1)",
       "It will break on the next cluster upgrade."),
    _t(D, "service database", "Failover runbook for {name} out of date", "The last game day found three wrong steps."),
    _t(D, "stateful", "{name} Helm chart pinned to a two-year-old version", "Upgrades need manual patches every time."),
    _t(K, "database bucket", "Audit logging disabled on {name}", "Required by SOC 2 control CC7.2."),
    _t(K, "database bucket", "{name} backups not encrypted at rest", "Found during the quarterly compliance scan."),
    _t(K, "service", "PII found in {name} application logs", "E-mail addresses are logged in full on error paths."),
)
TYPE_WEIGHTS = {A: 30, P: 20, R: 14, I: 10, S: 8, C: 7, D: 6, K: 5}
SEVERITY_WEIGHTS = {Severity.CRITICAL: 6, Severity.HIGH: 18, Severity.MEDIUM: 36, Severity.LOW: 28, Severity.INFO: 12}
BRACKET_PREFIX = {Severity.CRITICAL: "[SEV1] ", Severity.HIGH: "[SEV2] "}
PARTNERS = ("Stripe", "Adyen", "PayPal", "SendGrid", "Twilio", "Salesforce", "PagerDuty", "Okta")
REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")
ALERTS = (
    "Prometheus alert fired in {region}.",
    "Reported by customer support after a spike in tickets.",
    "Spotted on the Grafana dashboard during the daily review.",
    "PagerDuty paged the on-call engineer.",
    "Found by a synthetic check from {region}.",
)
REVIEWS = (
    "Raised in the weekly {team} review.",
    "Found by the quarterly audit.",
    "Flagged by the nightly scanner.",
    "Reported by the {team} team lead.",
)
# How an incident of each type is usually noticed.
DETECTIONS = {A: ALERTS, P: ALERTS, R: ALERTS, I: ALERTS, S: REVIEWS + ALERTS[:1], C: REVIEWS, D: REVIEWS, K: REVIEWS}
# Random values for the {fields} of titles and detection sentences.
PLACEHOLDERS: dict[str, Callable[[random.Random], Any]] = {
    "pct": lambda rng: rng.randint(4, 45), "hot": lambda rng: rng.randint(85, 99), "n": lambda rng: rng.randint(3, 60),
    "small": lambda rng: rng.randint(2, 9), "ms": lambda rng: rng.choice((800, 1200, 2000, 3500)),
    "secs": lambda rng: rng.choice((30, 60, 120, 300)), "days": lambda rng: rng.randint(2, 9),
    "partner": lambda rng: rng.choice(PARTNERS), "region": lambda rng: rng.choice(REGIONS),
    "cve": lambda rng: f"CVE-2026-{rng.randint(1000, 49999)}",
}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@cache
def _fields(text: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in Formatter().parse(text) if name)


SYSTEM_SHARE = 0.05  # incidents opened by the incident rule on a failing check

# Status mix by age: recent incidents are more likely to be active.
# (max age in days, weights for open, mitigated, resolved, closed, cancelled)
STATUS_BY_AGE: tuple[tuple[float, tuple[int, ...]], ...] = (
    (2, (60, 20, 12, 3, 5)),
    (14, (45, 22, 18, 7, 8)),
    (45, (25, 14, 26, 29, 6)),
    (float("inf"), (12, 6, 20, 56, 6)),
)
CANONICAL = (Status.OPEN, Status.MITIGATED, Status.RESOLVED, Status.CLOSED, Status.CANCELLED)
# How long incidents in each final status stay busy after creation (seconds, lo..hi).
ACTIVITY_WINDOW = {Status.OPEN: (600, 3 * 86400), Status.MITIGATED: (1800, 3 * 86400),
                   Status.RESOLVED: (1800, 4 * 86400), Status.CLOSED: (3 * 3600, 12 * 86400),
                   Status.CANCELLED: (300, 86400)}

# What people write, by the status the incident is in at the time (at least 4 each: up to
# 4 comments per incident, never the same one twice).
COMMENTS: dict[Status, tuple[str, ...]] = {
    Status.OPEN: (
        "Looking into it now.",
        "Paged the {team} on-call.",
        "Dashboards: https://grafana.example.com/d/{name}",
        "Root cause looks like the config change merged this morning.",
        "Not reproducible from {region}; might be regional.",
        "Scaled {name} up to absorb the load while we dig in.",
        "Customer impact confirmed by support, posting an update on the status page.",
        "Could this be a duplicate of last week's alert on {name}?",
    ),
    Status.MITIGATED: (
        "Rolled back {name} to the previous release; error rate is recovering.",
        "[update] mitigation in place, monitoring for 30 minutes before resolving.",
        "Failed over to the standby; {name} is serving again.",
        "Still seeing a few errors from {region}, keeping it mitigated for now.",
    ),
    Status.RESOLVED: (
        "Metrics back to baseline for the last hour.",
        "Opened a follow-up ticket for the permanent fix.",
        "Postmortem scheduled for Thursday.",
        "Fix deployed to {name}; closing once the follow-ups are filed.",
    ),
}
JIRA_ISSUE_TYPES = ("Bug", "Incident", "Task")
PLANNER_PRIORITIES = ("urgent", "important", "medium", "low")
EXTERNAL_TYPES = ("jira", "jira", "email", "service_now", "ms_planner")  # jira is the most common


def generate_demo(*, incidents: int = 320, seed: int = 7, now: datetime) -> DemoData:
    """Rows for every demo table; same arguments, identical rows."""
    whole = DemoData()
    for part in iter_demo(incidents=incidents, seed=seed, now=now):
        for table, rows in part.tables().items():
            whole[table].extend(rows)
    return whole


def iter_demo(*, incidents: int = 320, seed: int = 7, now: datetime, batch: int = 10_000) -> Iterator[DemoData]:
    """The same rows as `generate_demo`, in parts of at most `batch` incidents (with their children).

    The first part also holds the catalog. Inserting the parts in order, each table by
    `TABLE_ORDER`, never breaks a foreign key, and memory stays bounded for a million incidents.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (UTC)")
    if incidents < 0 or batch < 1:
        raise ValueError("incidents must not be negative and batch must be positive")
    generator = _Generator(seed, now.astimezone(UTC).replace(microsecond=0))
    generator.catalog()
    yield from generator.incidents(incidents, batch)


# -- Implementation ---------------------------------------------------------------------------

@dataclass
class _Cast:
    """Who is on one incident."""

    creator: uuid.UUID
    commander: uuid.UUID | None
    communicator: uuid.UUID | None
    team: str
    responder_people: list[uuid.UUID] = field(default_factory=list)

    def actors(self) -> list[uuid.UUID]:
        """People who act on the incident after it is opened, the commander first."""
        seen = [self.commander, *self.responder_people, self.communicator]
        return list(dict.fromkeys(p for p in seen if p is not None))


@dataclass
class _Story:
    title: str
    description: str
    type: IncidentType
    severity: Severity
    team: str
    config_ids: list[uuid.UUID]
    check_ids: list[uuid.UUID]
    subject: str  # name of the config the incident is about
    by_system: bool


class _Generator:
    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now = now
        self.data = DemoData()
        self.rng = random.Random(f"catalog:{seed}")
        self.recording = True  # False for old incidents of a benchmark-sized set: no child rows
        # Lookups filled by catalog(), used while making incidents.
        self.system_id = NIL_UUID
        self.people: list[uuid.UUID] = []
        self.person_ids: dict[str, uuid.UUID] = {}
        self.person_names: dict[uuid.UUID, str] = {}
        self.team_ids: dict[str, uuid.UUID] = {}
        self.team_people: dict[str, list[uuid.UUID]] = {t: [] for t in TEAMS}
        self.config_ids: dict[str, uuid.UUID] = {}
        self.config_rows: dict[uuid.UUID, Row] = {}
        self.configs_by_kind: dict[str, list[ConfigSpec]] = {}
        self.check_ids: list[tuple[CheckSpec, uuid.UUID]] = []
        self.check_specs: dict[uuid.UUID, CheckSpec] = {}
        self.checks_by_target: dict[str, list[tuple[CheckSpec, uuid.UUID]]] = {}

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def ago(self, seconds: float) -> datetime:
        return self.now - timedelta(seconds=int(seconds))

    # catalog -------------------------------------------------------------------------------

    def catalog(self) -> None:
        self.add_people()
        self.add_teams()
        self.add_configs()
        self.add_checks()

    def add_people(self) -> None:
        self.system_id = self.add_person(SYSTEM_PERSON_NAME, None, None)
        for name, title, teams in PEOPLE:
            email = f"{_ascii(name).lower().replace(chr(39), '').replace(' ', '.')}@{EMAIL_DOMAIN}"
            self.person_ids[name] = self.add_person(name, title, email)
            self.person_names[self.person_ids[name]] = name
            for team in teams:
                self.team_people[team].append(self.person_ids[name])
        self.people = list(self.person_ids.values())

    def add_person(self, name: str, title: str | None, email: str | None) -> uuid.UUID:
        created = self.ago(self.rng.uniform(400, 900) * 86400)
        person_id = self.new_id()
        self.data.people.append({"id": person_id, "name": name, "email": email, "title": title, "avatar": None,
                                 "created_at": created, "updated_at": created})
        return person_id

    def add_teams(self) -> None:
        for name in TEAMS:
            created = self.ago(self.rng.uniform(300, 400) * 86400)
            team_id = self.new_id()
            self.team_ids[name] = team_id
            self.data.teams.append({"id": team_id, "name": name, "icon": None, "created_by": self.system_id,
                                    "created_at": created, "updated_at": created})
            self.data.team_members.extend({"team_id": team_id, "person_id": person_id, "source": "UI"}
                                          for person_id in self.team_people[name])

    def add_configs(self) -> None:
        for spec in CONFIGS:
            created = self.ago(self.rng.uniform(160, 500) * 86400)
            health = CONFIG_HEALTH.get(spec.name, "healthy")
            config_id = self.new_id()
            self.config_ids[spec.name] = config_id
            self.config_rows[config_id] = {
                "id": config_id, "agent_id": NIL_UUID, "name": spec.name, "type": spec.type,
                "config_class": spec.config_class, "health": health,
                "status": DEGRADED_STATUS.get(health, CONFIG_STATUS[spec.kind]),
                "ready": health == "healthy", "description": spec.description,
                "labels": {"team": spec.team.lower(), "environment": "production", "tier": TIERS[spec.kind]},
                "is_pushed": False, "created_at": created, "inserted_at": created,
                "updated_at": self.ago(self.rng.uniform(60, 86400)),
            }
            self.data.config_items.append(self.config_rows[config_id])
            self.configs_by_kind.setdefault(spec.kind, []).append(spec)

    def add_checks(self) -> None:
        canary_ids = {canary: self.new_id() for canary in dict.fromkeys(c.canary for c in CHECKS)}
        for spec in CHECKS:
            check_id = self.new_id()
            interval = self.rng.choice((60, 120, 300))
            results = self.check_results(spec)
            times = [self.ago(interval * (CHECK_STATUS_ROWS - 1 - i) + self.rng.randint(1, 30))
                     for i in range(CHECK_STATUS_ROWS)]
            self.data.checks.append({
                "id": check_id, "canary_id": canary_ids[spec.canary], "agent_id": NIL_UUID, "type": spec.type,
                "name": spec.name, "namespace": "monitoring", "description": spec.description, "icon": spec.type,
                "labels": self.check_labels(spec), "is_pushed": False,
                "status": "healthy" if spec.healthy else "unhealthy",
                "last_runtime": times[-1], "next_runtime": times[-1] + timedelta(seconds=interval),
                "last_transition_time": self.last_transition(results, times),
                "created_at": self.ago(self.rng.uniform(150, 400) * 86400), "updated_at": times[-1],
            })
            self.data.check_statuses.extend(self.check_status(check_id, spec, ok, at) for ok, at in zip(results, times,
                                                                                                        strict=True))
            self.check_ids.append((spec, check_id))
            self.check_specs[check_id] = spec
            self.checks_by_target.setdefault(spec.target, []).append((spec, check_id))

    @staticmethod
    def check_labels(spec: CheckSpec) -> dict[str, str]:
        """What it watches, and the team that owns that (the Checks view filters by label:team=...)."""
        owner = CONFIG_BY_NAME.get(spec.target)
        labels = {"target": spec.target, "canary": spec.canary}
        return labels | {"team": owner.team.lower()} if owner else labels

    def check_results(self, spec: CheckSpec) -> list[bool]:
        """Oldest first, ending in the check's current state; healthy checks flap now and then."""
        if spec.healthy:
            return [self.rng.random() > 0.15 for _ in range(CHECK_STATUS_ROWS - 1)] + [True]
        failing = self.rng.randint(2, CHECK_STATUS_ROWS - 1)
        return [True] * (CHECK_STATUS_ROWS - failing) + [False] * failing

    @staticmethod
    def last_transition(results: list[bool], times: list[datetime]) -> datetime | None:
        flips = [at for before, after, at in zip(results, results[1:], times[1:], strict=False) if before != after]
        return flips[-1] if flips else None

    def check_status(self, check_id: uuid.UUID, spec: CheckSpec, ok: bool, at: datetime) -> Row:
        duration = self.rng.randint(20, 900) if ok else self.rng.randint(2000, 10000)
        return {"check_id": check_id, "status": ok, "time": at.strftime("%Y-%m-%d %H:%M:%S"),
                "duration": duration, "message": f"{spec.description}: ok in {duration}ms" if ok else spec.failure,
                "error": None if ok else spec.failure, "invalid": False, "is_pushed": False, "created_at": at}

    # incidents ------------------------------------------------------------------------------

    def incidents(self, count: int, batch: int) -> Iterator[DemoData]:
        """Adds incidents oldest first (INC-1 is the oldest), handing over the rows every `batch`."""
        self.rng = random.Random(f"incidents:{self.seed}")
        self.plan_rng = random.Random(f"plans:{self.seed}")
        """Action plans draw from their own generator: the incidents are the same with or without them."""
        self.prepare_weights()
        span = HISTORY_SPAN.total_seconds() - MIN_AGE_SECONDS
        # A mild bias towards recent incidents.
        ages = sorted((MIN_AGE_SECONDS + span * self.rng.random() ** 1.2 for _ in range(count)), reverse=True)
        detailed_from = count - DETAILED_INCIDENTS
        for index, age in enumerate(ages):
            self.incident(index + 1, int(age), detailed=index >= detailed_from)
            if (index + 1) % batch == 0 or index + 1 == count:
                yield self.data
                self.data = DemoData()
        if count == 0:
            yield self.data

    def prepare_weights(self) -> None:
        self.type_cum = list(accumulate(TYPE_WEIGHTS.values()))
        self.severity_cum = list(accumulate(SEVERITY_WEIGHTS.values()))
        self.status_cum = [(days * 86400, list(accumulate(w))) for days, w in STATUS_BY_AGE]
        self.templates_by_type = {t: [tpl for tpl in TEMPLATES if tpl.type is t] for t in IncidentType}
        self.unhealthy_checks = [(s, i) for s, i in self.check_ids if not s.healthy]

    def pick(self, population: Sequence[T], cum_weights: list[int]) -> T:
        return self.rng.choices(population, cum_weights=cum_weights)[0]

    def incident(self, number: int, age: int, *, detailed: bool) -> None:
        created = self.ago(age)
        status = self.pick_status(age)
        story = self.system_story(status) if self.rng.random() < SYSTEM_SHARE else self.person_story()
        cast = self.cast(story, status)
        incident_id = self.new_id()
        row: Row = {
            "id": incident_id, "incident_id": f"INC-{number}", "incident_rule_id": None,
            "title": story.title, "description": story.description, "severity": story.severity.value,
            "type": story.type.value, "status": status.value, "created_by": cast.creator,
            "commander_id": cast.commander, "communicator_id": cast.communicator,
            "acknowledged": None, "resolved": None, "closed": None, "created_at": created, "updated_at": created,
        }
        self.data.incidents.append(row)
        hypothesis_id = self.add_links(incident_id, story, cast.creator, created)
        self.recording = detailed
        self.add_activity(row, story, cast, hypothesis_id, age)
        if detailed:
            self.add_plan(row, story, cast, hypothesis_id)

    def pick_status(self, age: int) -> Status:
        cum = next(cum for limit, cum in self.status_cum if age < limit)
        return self.pick(CANONICAL, cum)

    def person_story(self) -> _Story:
        type_ = self.pick(list(TYPE_WEIGHTS), self.type_cum)
        template = self.rng.choice(self.templates_by_type[type_])
        config = self.rng.choice([c for kind in template.kinds for c in self.configs_by_kind[kind]])
        detection = self.rng.choice(DETECTIONS[type_])
        values = {"name": config.name, "team": config.team} | self.placeholders(template.title + detection)
        severity = template.severity or self.pick(list(SEVERITY_WEIGHTS), self.severity_cum)
        title = template.title.format(**values)
        if severity in BRACKET_PREFIX and not title.startswith("[") and self.rng.random() < 0.25:
            title = BRACKET_PREFIX[severity] + title
        description = f"{detection.format(**values)} {template.impact}"
        config_ids, check_ids = self.linked_to(config)
        return _Story(title, description, type_, severity, config.team, config_ids, check_ids, config.name, False)

    def system_story(self, status: Status) -> _Story:
        # An active rule-made incident is about a check that is failing right now.
        pool = self.unhealthy_checks if status in (Status.OPEN, Status.MITIGATED) else self.check_ids
        spec, check_id = self.rng.choice(pool)
        target = CONFIG_BY_NAME[spec.target]
        severity = self.rng.choice((Severity.CRITICAL, Severity.HIGH, Severity.HIGH, Severity.MEDIUM))
        description = (f"Opened automatically by the incident rule: check {spec.name} ({spec.description}) "
                       f"failed 3 times in a row. Last error: {spec.failure}.")
        return _Story(f"Health check {spec.name} failing: {spec.failure}", description, IncidentType.AVAILABILITY,
                      severity, target.team, [self.config_ids[target.name]], [check_id], target.name, True)

    def placeholders(self, text: str) -> dict[str, Any]:
        """Random values for the fields `text` asks for (and only those: this runs per incident)."""
        return {name: PLACEHOLDERS[name](self.rng) for name in _fields(text) if name in PLACEHOLDERS}

    def linked_to(self, config: ConfigSpec) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        """The config the title names, often one it depends on and the check watching it."""
        roll = self.rng.random()
        if roll < 0.1:
            return [], []  # reported before anyone tied it to the catalog
        config_ids = [self.config_ids[config.name]]
        if config.depends_on and roll < 0.45:
            config_ids.append(self.config_ids[self.rng.choice(config.depends_on)])
        watching = self.checks_by_target.get(config.name)
        check_ids = [self.rng.choice(watching)[1]] if watching and roll > 0.6 else []
        return config_ids, check_ids

    def cast(self, story: _Story, status: Status) -> _Cast:
        rng = self.rng
        creator = self.system_id if story.by_system else rng.choice(self.people)
        on_call = self.team_people[story.team] + self.team_people["SRE"]
        if status is Status.OPEN and rng.random() < 0.35:
            commander = None  # nobody has picked it up yet
        elif not story.by_system and rng.random() < 0.4:
            commander = creator
        else:
            commander = rng.choice(on_call)
        communicator = rng.choice(self.people) if rng.random() < 0.6 else None
        return _Cast(creator, commander, communicator, story.team)

    def add_links(self, incident_id: uuid.UUID, story: _Story, creator: uuid.UUID, at: datetime) -> uuid.UUID:
        hypothesis_id = self.new_id()
        self.data.hypotheses.append({
            "id": hypothesis_id, "incident_id": incident_id, "parent_id": None, "type": "root",
            "title": story.title, "status": "possible", "created_by": creator, "created_at": at, "updated_at": at,
        })
        for config_id in story.config_ids:
            self.add_evidence(hypothesis_id, creator, at, "config", config_id)
        for check_id in story.check_ids:
            self.add_evidence(hypothesis_id, creator, at, "check", check_id)
        return hypothesis_id

    def add_evidence(self, hypothesis_id: uuid.UUID, creator: uuid.UUID, at: datetime, kind: str,
                     linked: uuid.UUID) -> None:
        """Evidence pointing at `linked`: a config item (kind "config") or a health check ("check")."""
        if kind == "config":
            row = self.config_rows[linked]
            description = f"{row['name']} ({row['type']})"
            evidence: dict[str, Any] = {"configName": row["name"], "configType": row["type"]}
            config_id, check_id = linked, None
        else:
            spec = self.check_specs[linked]
            description = f"Health check {spec.name}"
            evidence = {"check_id": str(linked), "includeMessages": True}
            config_id, check_id = None, linked
        self.data.evidences.append({
            "id": self.new_id(), "hypothesis_id": hypothesis_id, "type": kind, "description": description,
            "config_id": config_id, "check_id": check_id, "evidence": evidence,
            "definition_of_done": False, "done": False, "created_by": creator, "created_at": at, "updated_at": at,
        })

    # action plans ------------------------------------------------------------------------------

    def add_plan(self, incident: Row, story: _Story, cast: _Cast, root_id: uuid.UUID) -> None:
        """A rule-made incident is done when its check is healthy again (as the rule engine marked it);
        some incidents people opened have a small plan: a factor, often a solution, a note, and a
        definition of done on what they link."""
        rng = self.plan_rng
        links = [e for e in self.data.evidences[-3:] if e["hypothesis_id"] == root_id]
        if story.by_system:
            for evidence in links:
                evidence["definition_of_done"] = evidence["check_id"] is not None
            return
        if rng.random() >= PLANNED_SHARE:
            return
        author = cast.commander or cast.creator
        factor_title, solution_title, note = rng.choice(PLANS[story.type])
        at = self.plan_time(incident, 0.15, 0.35)  # while it could still be changed
        factor = self.add_node(incident, root_id, "factor", factor_title.format(name=story.subject),
                               rng.choice(("likely", "likely", "possible", "proven")), author, at)
        self.data.evidences.append(self.note(factor, note.format(name=story.subject), author, at))
        if rng.random() < 0.7:
            self.add_node(incident, factor, "solution", solution_title.format(name=story.subject), "possible",
                          author, self.plan_time(incident, 0.4, 0.5))
        for evidence in links[:2]:
            evidence["definition_of_done"] = True
        self.keep_history_in_order(incident)

    def plan_time(self, incident: Row, earliest: float, latest: float) -> datetime:
        """A second between the incident's creation and its close (or now), at a fraction of that span,
        that no other history row of the incident has."""
        start: datetime = incident["created_at"]
        end: datetime = incident["closed"] or self.now
        at = start + timedelta(seconds=int((end - start).total_seconds() * self.plan_rng.uniform(earliest, latest)))
        taken = {h["created_at"] for h in self.data.incident_histories[self.own_history(incident):]}
        while at in taken or at <= start:
            at += timedelta(seconds=1)
        return at

    def keep_history_in_order(self, incident: Row) -> None:
        """The incident's history rows (the last ones written) sorted by time again, plan rows among them."""
        rows, first = self.data.incident_histories, self.own_history(incident)
        rows[first:] = sorted(rows[first:], key=lambda row: row["created_at"])

    def own_history(self, incident: Row) -> int:
        """Where the incident's history rows start: they are the last ones written."""
        rows = self.data.incident_histories
        first = len(rows)
        while first and rows[first - 1]["incident_id"] == incident["id"]:
            first -= 1
        return first

    def add_node(self, incident: Row, parent: uuid.UUID, kind: str, title: str, status: str, author: uuid.UUID,
                 at: datetime) -> uuid.UUID:
        id = uuid.UUID(int=self.plan_rng.getrandbits(128), version=4)
        self.data.hypotheses.append({"id": id, "incident_id": incident["id"], "parent_id": parent, "type": kind,
                                     "title": title, "status": status, "created_by": author, "created_at": at,
                                     "updated_at": at})
        self.add_history(incident, author, at, HISTORY_HYPOTHESIS_CREATED, f"{kind}: {title} ({status})",
                         hypothesis_id=id)
        return id

    def note(self, hypothesis_id: uuid.UUID, text: str, author: uuid.UUID, at: datetime) -> Row:
        return {"id": uuid.UUID(int=self.plan_rng.getrandbits(128), version=4), "hypothesis_id": hypothesis_id,
                "type": "comment", "description": "Comment", "config_id": None, "check_id": None,
                "evidence": {"comment": text}, "definition_of_done": False, "done": False, "created_by": author,
                "created_at": at, "updated_at": at}

    # what happened after the incident was opened ---------------------------------------------

    def add_activity(self, incident: Row, story: _Story, cast: _Cast, hypothesis_id: uuid.UUID, age: int) -> None:
        """Acknowledgement and status steps always (they set the incident's timestamps); responders,
        comments and history rows only while recording."""
        status = Status(incident["status"])
        self.add_history(incident, cast.creator, incident["created_at"], HISTORY_CREATED, str(incident["id"]))
        plans = self.plan_responders(story, cast) if self.recording else []
        events: list[tuple[str, Any]] = [("responder", (index, *plan)) for index, plan in enumerate(plans)]
        if cast.commander is not None and self.rng.random() < (0.7 if status is Status.OPEN else 0.92):
            events.insert(0, ("ack", cast.commander))  # acknowledging made them commander
        events += self.steps_and_comments(status, cast)
        times = self.event_times(status, age, len(events))
        for (kind, payload), at in zip(events, times, strict=True):
            if kind == "ack":
                incident["acknowledged"] = incident["updated_at"] = at
                self.add_history(incident, payload, at, HISTORY_ACKNOWLEDGED, "acknowledged")
            elif kind == "responder":
                self.add_responder(incident, cast, payload, at)
            elif kind == "status":
                self.apply_status(incident, story, cast, payload, at)
            else:
                self.add_comment(incident, story, cast, hypothesis_id, payload, at)

    def steps_and_comments(self, status: Status, cast: _Cast) -> list[tuple[str, Any]]:
        """Status steps in order, with comments in between (never after an incident is closed)."""
        rng = self.rng
        mitigated_first = [Status.MITIGATED] if rng.random() < 0.5 else []
        steps = {
            Status.OPEN: [Status.MITIGATED, Status.OPEN] if cast.commander and rng.random() < 0.12 else [],
            Status.MITIGATED: [Status.MITIGATED],
            Status.RESOLVED: [*mitigated_first, Status.RESOLVED],
            Status.CLOSED: [*mitigated_first, Status.RESOLVED, Status.CLOSED],
            Status.CANCELLED: [*mitigated_first, Status.CANCELLED],
        }[status]
        events: list[tuple[str, Any]] = [("status", step) for step in steps]
        last_open_slot = len(events) - (1 if status.is_final else 0)
        comments = rng.randint(1, 4) if self.recording and rng.random() < 0.65 else 0
        for _ in range(comments):
            events.insert(rng.randint(0, last_open_slot), ("comment", None))
            last_open_slot += 1
        return self.with_comment_texts(events)

    def with_comment_texts(self, events: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        """Gives each comment a text that fits the status at its time, none repeated."""
        phases, phase = [], Status.OPEN
        for kind, payload in events:
            phase = payload if kind == "status" else phase
            phases.append(phase)
        wanted = Counter(p for (kind, _), p in zip(events, phases, strict=True) if kind == "comment")
        texts = {p: iter(self.rng.sample(COMMENTS[p], count)) for p, count in wanted.items()}
        return [(kind, next(texts[p]) if kind == "comment" else payload) for (kind, payload), p in zip(events, phases,
                                                                                                       strict=True)]

    def event_times(self, status: Status, age: int, count: int) -> list[datetime]:
        """`count` distinct, increasing times after creation, within the incident's busy window."""
        lo, hi = ACTIVITY_WINDOW[status]
        window = min(age, self.rng.randint(lo, hi))
        offsets = sorted(self.rng.sample(range(1, window + 1), count))
        return [self.ago(age - offset) for offset in offsets]

    def plan_responders(self, story: _Story, cast: _Cast) -> list[tuple[str, Any]]:
        rng = self.rng
        count = rng.choices((0, 1, 2, 3), cum_weights=(20, 60, 88, 100))[0]
        people = [p for p in self.team_people[story.team] + self.team_people["SRE"] if p != cast.commander]
        teams = [story.team, "SRE"] if story.team != "SRE" else ["SRE", "Platform"]
        plans: list[tuple[str, Any]] = []
        for _ in range(count):
            roll = rng.random()
            if roll < 0.5 and people:
                person = people.pop(rng.randrange(len(people)))
                if person in cast.responder_people:  # an SRE story lists SRE's people twice: once is enough
                    continue
                plans.append(("person", person))
                cast.responder_people.append(person)
            elif roll < 0.8 and teams:
                plans.append(("team", teams.pop(0)))
            else:
                plans.append(("system", rng.choice(EXTERNAL_TYPES)))
        return plans

    def add_responder(self, incident: Row, cast: _Cast, plan: tuple[int, str, Any], at: datetime) -> None:
        index, kind, target = plan
        added_by = cast.commander or cast.creator
        row: Row = {
            "id": self.new_id(), "incident_id": incident["id"], "type": kind, "index": index,
            "person_id": target if kind == "person" else None,
            "team_id": self.team_ids[target] if kind == "team" else None,
            "external_id": None, "properties": None, "acknowledged": None,
            "created_by": added_by, "created_at": at, "updated_at": at, "deleted_at": None,
        }
        if kind == "system":
            row["properties"] = self.external_properties(target, incident)
            row["external_id"] = self.external_id(target)
        elif self.rng.random() < 0.5:
            row["acknowledged"] = min(self.now, at + timedelta(seconds=self.rng.randint(60, 1800)))
        self.data.responders.append(row)
        self.add_history(incident, added_by, at, HISTORY_RESPONDER_CREATED, self.responder_label(row, target),
                         responder_id=row["id"])

    def responder_label(self, row: Row, target: Any) -> str:
        """How the timeline names a responder: the person, the team, or the ticket / mailbox."""
        if row["type"] == "person":
            return self.person_names[target]
        if row["type"] == "team":
            team: str = target
            return team
        return f"{target} {row['external_id'] or row['properties']['to']}"

    def external_properties(self, responder_type: str, incident: Row) -> dict[str, str]:
        """The form values a person would have typed for this kind of external responder."""
        summary = f"{incident['incident_id']}: {incident['title']}"
        values = {
            "to": f"oncall-{self.rng.choice(TEAMS).lower()}@{EMAIL_DOMAIN}", "subject": summary, "summary": summary,
            "title": summary, "description": incident["description"], "body": incident["description"],
            "project": "OPS", "issueType": self.rng.choice(JIRA_ISSUE_TYPES), "category": "Software",
            "product": "Platform", "plan_id": "incident-response", "bucket_id": "triage",
            "priority": self.rng.choice(PLANNER_PRIORITIES),
        }
        fields = EXTERNAL_RESPONDER_FIELDS[responder_type]
        return {"responderType": responder_type} | {key: values[key] for key in fields}

    def external_id(self, responder_type: str) -> str | None:
        """The ticket the external system opened (e-mail has none)."""
        number = self.rng.randint(1000, 99999)
        return {"jira": f"OPS-{number}", "service_now": f"INC{number:07d}",
                "ms_planner": f"task-{number:x}"}.get(responder_type)

    def apply_status(self, incident: Row, story: _Story, cast: _Cast, step: Status, at: datetime) -> None:
        if step is Status.RESOLVED:
            incident["resolved"] = at
        elif step in (Status.CLOSED, Status.CANCELLED):
            incident["closed"] = at
        incident["updated_at"] = at
        self.add_history(incident, self.status_actor(story, cast, step), at, HISTORY_STATUS_UPDATED, step.value)

    def status_actor(self, story: _Story, cast: _Cast, step: Status) -> uuid.UUID:
        """Usually the commander; sometimes a responder or the communicator; the rule auto-resolves its own."""
        rng = self.rng
        if story.by_system and step in (Status.RESOLVED, Status.CLOSED) and rng.random() < 0.4:
            return self.system_id
        actors = cast.actors()
        if not actors:
            return cast.creator
        return actors[0] if rng.random() < 0.55 else rng.choice(actors)

    def add_comment(self, incident: Row, story: _Story, cast: _Cast, hypothesis_id: uuid.UUID, text: str,
                    at: datetime) -> None:
        actors = cast.actors()
        author = (self.rng.choice(actors) if actors and self.rng.random() < 0.7
                  else self.rng.choice(self.team_people[cast.team]))
        comment = text.format(name=story.subject, team=story.team, region=self.rng.choice(REGIONS))
        self.data.comments.append({
            "id": self.new_id(), "incident_id": incident["id"], "hypothesis_id": hypothesis_id,
            "created_by": author, "comment": comment, "created_at": at, "updated_at": at,
        })

    def add_history(self, incident: Row, actor: uuid.UUID, at: datetime, type_: str, description: str,
                    *, responder_id: uuid.UUID | None = None, hypothesis_id: uuid.UUID | None = None) -> None:
        if not self.recording:
            return
        id = uuid.UUID(int=self.plan_rng.getrandbits(128), version=4) if hypothesis_id else self.new_id()
        self.data.incident_histories.append({
            "id": id, "incident_id": incident["id"], "created_by": actor, "type": type_,
            "description": description, "responder_id": responder_id, "hypothesis_id": hypothesis_id,
            "created_at": at, "updated_at": at,
        })
