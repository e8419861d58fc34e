// Package shim hands the Terraform random provider to pulumi-random's provider module. The
// upstream implementation is an internal package, which Go only lets code under the upstream
// module path import; hence this module's path.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"
	upstream "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider returns the upstream plugin-framework provider.
func NewProvider() provider.Provider {
	return upstream.New()
}
