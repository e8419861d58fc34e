// Command pulumi-resource-random is the random provider plugin bridged from the Terraform provider
// (terraform-provider-random, a Plugin Framework provider) by pulumi-terraform-bridge, with
// Groundwork's own mapping onto the names @pulumi/random sends. pulumi-random's own provider module
// is not served by the Go module proxy these machines reach; the Terraform provider and the bridge are.
//
// The module path lies under terraform-provider-random's because its provider is in an internal
// package, which Go lets only code below the module's path import.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/terraform-providers/terraform-provider-random/internal/provider"
)

const packageName = "random"

// The SDK version the engine loads this plugin for; the toolchain sets it with -ldflags -X.
var version = "0.0.0-dev"

// providerInfo maps every resource of the Terraform provider to the token @pulumi/random uses:
// random_password becomes random:index/randomPassword:RandomPassword. Property names follow the
// bridge's own conversion (min_lower becomes minLower), and attributes Terraform marks sensitive
// are secret, as in the SDK.
func providerInfo() (tfbridge.ProviderInfo, error) {
	info := tfbridge.ProviderInfo{
		P:       pfbridge.ShimProvider(provider.New()),
		Name:    packageName,
		Version: version,
		// No renames or aliases from earlier major versions to carry: the metadata starts empty.
		MetadataInfo: tfbridge.NewProviderMetadata(nil),
		Resources: map[string]*tfbridge.ResourceInfo{
			// random_bytes has no "id" attribute; its identity is its value, as Terraform imports it.
			"random_bytes": {ComputeID: tfbridge.DelegateIDField("base64", packageName, "tools/toolchain/modules/random-bridged")},
		},
	}
	standard := tokens.MakeStandard(packageName)
	err := info.ComputeTokens(tokens.SingleModule("random_", "index", func(module, name string) (string, error) {
		return standard(module, "Random"+name)
	}))
	return info, err
}

// packageSchema is what GetSchema answers: the bridge's own generator run over the mapping, with the
// Terraform schema's descriptions as docs. The engine asks for it only for tooling (`pulumi package
// get-schema`, conversions), never while deploying, so it is generated on request, not at every start.
func packageSchema(info tfbridge.ProviderInfo) ([]byte, error) {
	quiet := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
	generated, err := tfgen.GenerateSchemaWithOptions(tfgen.GenerateSchemaOptions{ProviderInfo: info, DiagnosticsSink: quiet, XInMemoryDocs: true})
	if err != nil {
		return nil, fmt.Errorf("generating the package schema: %w", err)
	}
	return json.Marshal(generated.PackageSpec)
}

func main() {
	info, err := providerInfo()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s: mapping the Terraform resources to tokens: %v\n", packageName, err)
		os.Exit(1)
	}
	pfbridge.Main(context.Background(), packageName, info, pfbridge.ProviderMetadata{
		XGetSchema: func(context.Context, plugin.GetSchemaRequest) ([]byte, error) { return packageSchema(info) },
	})
}
