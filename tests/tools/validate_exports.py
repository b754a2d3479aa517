#!/usr/bin/env python3
"""Validate spotsim's export files offline against the real schemas.

    validate_exports.py FILE...

Each `aws ... --cli-input-json` file is checked against the operation's input
shape in the AWS service models that Debian's python3-botocore ships, with
botocore's own client-side validator (the check the AWS CLI runs before it
sends a request: unknown or missing members, types, lengths, ranges), plus
the enums of the model (the CLI leaves those to the service). Kubernetes YAML
documents (Deployment, PodDisruptionBudget, eksctl ClusterConfig) are checked
with python3-jsonschema against the pinned schemas in tests/data/schemas/.
Exit 0 when every file is valid, 1 otherwise (each problem on stderr).
"""
import json
import os
import sys

import botocore.session
import botocore.validate

# file name prefix -> (service, operation)
AWS_INPUTS = [
    ("launch-template", ("ec2", "CreateLaunchTemplate")),
    ("asg", ("autoscaling", "CreateAutoScalingGroup")),
    ("ecs-capacity-provider", ("ecs", "CreateCapacityProvider")),
    ("ecs-cluster-capacity-providers", ("ecs", "PutClusterCapacityProviders")),
    ("ecs-task-definition", ("ecs", "RegisterTaskDefinition")),
    ("ecs-service", ("ecs", "CreateService")),
    ("target-group-attributes", ("elbv2", "ModifyTargetGroupAttributes")),
    ("target-group-health-check", ("elbv2", "ModifyTargetGroup")),
]

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "schemas")


def enum_errors(value, shape, path):
    """The enum values the model lists but botocore does not check."""
    errs = []
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        for k, v in value.items():
            if k in shape.members:
                errs += enum_errors(v, shape.members[k], path + "." + k)
    elif t == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            errs += enum_errors(v, shape.member, "%s[%d]" % (path, i))
    elif t == "map" and isinstance(value, dict):
        for k, v in value.items():
            errs += enum_errors(v, shape.value, path + "." + k)
    elif t == "string" and shape.enum and value not in shape.enum:
        errs.append("%s: '%s' is not one of %s" % (path, value, ", ".join(shape.enum)))
    return errs


def check_aws(path, service, operation, session):
    with open(path) as f:
        params = json.load(f)
    shape = session.get_service_model(service).operation_model(operation).input_shape
    errs = []
    try:
        botocore.validate.validate_parameters(params, shape)
    except botocore.exceptions.ParamValidationError as e:
        errs.append(str(e))
    errs += enum_errors(params, shape, operation)
    return errs


def check_yaml(path):
    import jsonschema
    import yaml

    schemas = {}
    for kind, name in (("Deployment", "deployment-apps-v1.json"),
                       ("PodDisruptionBudget", "poddisruptionbudget-policy-v1.json"),
                       ("ClusterConfig", "eksctl-clusterconfig-v1alpha5.json")):
        with open(os.path.join(SCHEMA_DIR, name)) as f:
            schemas[kind] = json.load(f)
    errs = []
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if not docs:
        errs.append("no YAML document")
    for d in docs:
        kind = d.get("kind") if isinstance(d, dict) else None
        if kind not in schemas:
            if not (isinstance(d, dict) and "extraArgs" in d):  # Helm values: no schema
                errs.append("document of unknown kind %r" % kind)
            continue
        v = jsonschema.Draft7Validator(schemas[kind])
        for e in sorted(v.iter_errors(d), key=str):
            errs.append("%s %s: %s" % (kind, "/".join(str(p) for p in e.absolute_path), e.message))
    return errs


def main(argv):
    session = botocore.session.get_session()
    bad = 0
    for path in argv[1:]:
        base = os.path.basename(path)
        errs = None
        if base.endswith(".json"):
            stem = base[:-5]
            for prefix, (svc, op) in AWS_INPUTS:
                if stem == prefix or stem.startswith(prefix + "-") and not any(
                        stem == p or stem.startswith(p + "-") for p, _ in AWS_INPUTS if len(p) > len(prefix)):
                    errs = check_aws(path, svc, op, session)
                    break
        elif base.endswith(".yaml"):
            errs = check_yaml(path)
        if errs is None:
            print("%s: no schema for this file" % path, file=sys.stderr)
            bad += 1
            continue
        for e in errs:
            print("%s: %s" % (path, e), file=sys.stderr)
        bad += 1 if errs else 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
