// Package shim hands the Terraform Cloudflare provider to pulumi-cloudflare's provider module. It
// is added inside the upstream module because the provider constructor lives in an internal
// package, which only code under the upstream module path may import.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/cloudflare/terraform-provider-cloudflare/internal"
)

// PFProvider returns the upstream plugin-framework provider, built for Pulumi.
func PFProvider() provider.Provider {
	return internal.NewProvider("pulumi")()
}
