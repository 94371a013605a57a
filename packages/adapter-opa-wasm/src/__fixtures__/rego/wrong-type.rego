# `allow` must be a boolean and `risk_score` a number in 0..100: these are neither, so
# every evaluation is refused with POLICY_INVALID naming the entrypoint.
package govgate

import rego.v1

allow := "yes"

risk_score := 250
