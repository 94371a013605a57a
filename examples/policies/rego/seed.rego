# The seed risk policy of examples/policies/default.yaml, in Rego: personal data and
# external models add risk; at 50 points a request is blocked. Same rules, weights,
# reasons and order as the native policy, so both give identical decisions.
#
# input is the validated, redacted request plus the derived facts:
#   { "model", "operation", "metadata", "subject"?, "context"?, "pii": { "any", "email", … } }
package govgate

import rego.v1

threshold := 50

default personal_data := false

personal_data if input.metadata.contains_personal_data == true

default external_model := false

external_model if input.metadata.is_external_model == true

default personal_data_detected := false

personal_data_detected if input.pii.any == true

# One entry per rule, in the order of default.yaml.
rules := [
	{"rule": "personal-data", "effect": "score", "weight": 70, "reason": "contains_personal_data", "matched": personal_data},
	{"rule": "external-model", "effect": "score", "weight": 50, "reason": "is_external_model", "matched": external_model},
	{"rule": "detected-personal-data", "effect": "score", "weight": 70, "reason": "personal_data_detected", "matched": personal_data_detected},
]

# The matched rules' reasons, in rule order (an array, so the order is kept).
reasons := [object.remove(r, ["matched"]) | some r in rules; r.matched]

risk_score := min([100, sum([r.weight | some r in reasons])])

deny if {
	some r in reasons
	r.effect == "deny"
}

default review := false

review if {
	some r in reasons
	r.effect == "review"
}

default allow := false

allow if {
	not deny
	risk_score < threshold
}
