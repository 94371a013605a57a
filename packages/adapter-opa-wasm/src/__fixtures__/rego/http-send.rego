# A policy that would call out over the network while deciding: govgate must refuse
# to load it (http.send is never provided to a policy).
package govgate

import rego.v1

default allow := false

allow if {
	response := http.send({"method": "GET", "url": "http://127.0.0.1:9/"})
	response.status_code == 200
}
