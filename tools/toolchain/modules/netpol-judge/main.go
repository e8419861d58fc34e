// Command netpol-judge gives the verdicts of a set of NetworkPolicies on given traffic, computed by
// cyclonus' matcher (github.com/mattfenwick/cyclonus/pkg/matcher): the NetworkPolicy API's semantics
// as written, without a cluster or a CNI. It reads one JSON request on stdin and writes one JSON
// answer on stdout; tools/network/judge.ts is its TypeScript client and documents the shapes.
//
// Bad input exits 1 with a message naming the policy or case and the field: a verdict on input the
// API server would have refused, or on a half-described peer, would be a verdict on something else.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

const cyclonusModule = "github.com/mattfenwick/cyclonus"

// The label the API server puts on every namespace; namespaceSelectors commonly match on it.
const namespaceNameLabel = "kubernetes.io/metadata.name"

type request struct {
	Policies []json.RawMessage `json:"policies"`
	Cases    []json.RawMessage `json:"cases"`
}

type peer struct {
	Namespace       *string           `json:"namespace"`
	NamespaceLabels map[string]string `json:"namespaceLabels"`
	PodLabels       map[string]string `json:"podLabels"`
	IP              string            `json:"ip"`
}

type trafficCase struct {
	Name        string `json:"name"`
	Source      *peer  `json:"source"`
	Destination *peer  `json:"destination"`
	Port        *int   `json:"port"`
	PortName    string `json:"portName"`
	Protocol    string `json:"protocol"`
}

type verdict struct {
	Name            string   `json:"name"`
	Ingress         bool     `json:"ingress"`
	Egress          bool     `json:"egress"`
	Allowed         bool     `json:"allowed"`
	IngressPolicies []string `json:"ingressPolicies"`
	EgressPolicies  []string `json:"egressPolicies"`
}

type answer struct {
	Engine   string    `json:"engine"`
	Verdicts []verdict `json:"verdicts"`
}

func main() {
	out, err := run(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "netpol-judge: %s\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}

func run(input io.Reader) ([]byte, error) {
	engine, err := engineName()
	if err != nil {
		return nil, err
	}
	var req request
	if err := decodeStrict(input, &req); err != nil {
		return nil, fmt.Errorf("the request is not valid JSON of the expected shape ({\"policies\": [...], \"cases\": [...]}): %s", describe(err))
	}
	policies := make([]*networkingv1.NetworkPolicy, 0, len(req.Policies))
	for index, raw := range req.Policies {
		policy, err := decodePolicy(raw)
		if err != nil {
			return nil, fmt.Errorf("policies[%d]%s: %s", index, policyLabel(raw), err)
		}
		policies = append(policies, policy)
	}
	// Each policy alone first: cyclonus panics on what it cannot compile, and the panic should name the
	// policy. The single-policy targets also tell which of several merged policies admitted a case.
	alone := map[*networkingv1.NetworkPolicy]singlePolicy{}
	for index, policy := range policies {
		var single singlePolicy
		if err := recovered(func() { single.ingress, single.egress = matcher.BuildTarget(policy) }); err != nil {
			return nil, fmt.Errorf("policies[%d] (%s/%s): %s", index, policy.Namespace, policy.Name, err)
		}
		alone[policy] = single
	}
	compiled := matcher.BuildNetworkPolicies(false, policies)

	names := map[string]int{}
	verdicts := make([]verdict, 0, len(req.Cases))
	for index, raw := range req.Cases {
		traffic, name, err := decodeCase(raw)
		if err != nil {
			return nil, fmt.Errorf("cases[%d]%s: %s", index, caseLabel(name), err)
		}
		if previous, seen := names[name]; seen {
			return nil, fmt.Errorf("cases[%d] %q: name: cases[%d] has the same name; give every case its own", index, name, previous)
		}
		names[name] = index
		var result *matcher.AllowedResult
		if err := recovered(func() { result = compiled.IsTrafficAllowed(traffic) }); err != nil {
			return nil, fmt.Errorf("cases[%d] %q: the matcher failed: %s", index, name, err)
		}
		verdicts = append(verdicts, verdict{
			Name:            name,
			Ingress:         result.Ingress.IsAllowed(),
			Egress:          result.Egress.IsAllowed(),
			Allowed:         result.IsAllowed(),
			IngressPolicies: decisivePolicies(result.Ingress, traffic.Source, traffic, alone, true),
			EgressPolicies:  decisivePolicies(result.Egress, traffic.Destination, traffic, alone, false),
		})
	}
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	// Case names are for people: "api -> db" stays readable.
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(answer{Engine: engine, Verdicts: verdicts}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// singlePolicy is one policy compiled on its own: nil for a direction it does not govern.
type singlePolicy struct {
	ingress, egress *matcher.Target
}

// engineName is "cyclonus <version>", read from the module graph this binary was built from.
func engineName() (string, error) {
	info, ok := debug.ReadBuildInfo()
	if ok {
		for _, dependency := range info.Deps {
			if dependency.Path == cyclonusModule {
				return "cyclonus " + strings.TrimPrefix(dependency.Version, "v"), nil
			}
		}
	}
	return "", errors.New("this binary carries no build information for " + cyclonusModule + ": build it with `go build` from its module")
}

// decisivePolicies names the policies behind a direction's verdict as namespace/name: when allowed,
// the policies selecting the pod whose own rules admit the traffic (cyclonus merges policies with the
// same pod selector, so each is asked alone); when denied, all those selecting it, as none admits it.
// Empty when no policy selects the pod (open by default) or the pod is outside the cluster.
func decisivePolicies(direction *matcher.DirectionResult, peer *matcher.TrafficPeer, traffic *matcher.Traffic, alone map[*networkingv1.NetworkPolicy]singlePolicy, isIngress bool) []string {
	allowed := direction.IsAllowed()
	targets := direction.DenyingTargets
	if allowed {
		targets = direction.AllowingTargets
	}
	seen := map[string]bool{}
	names := []string{}
	for _, target := range targets {
		for _, policy := range target.SourceRules {
			if allowed {
				single := alone[policy].egress
				if isIngress {
					single = alone[policy].ingress
				}
				if !single.Allows(peer, traffic.ResolvedPort, traffic.ResolvedPortName, traffic.Protocol) {
					continue
				}
			}
			name := policy.Namespace + "/" + policy.Name
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}

func decodePolicy(raw json.RawMessage) (*networkingv1.NetworkPolicy, error) {
	var policy networkingv1.NetworkPolicy
	if err := decodeStrict(bytes.NewReader(raw), &policy); err != nil {
		return nil, errors.New(describe(err))
	}
	if policy.APIVersion != "networking.k8s.io/v1" || policy.Kind != "NetworkPolicy" {
		return nil, fmt.Errorf("apiVersion/kind: %q/%q is not a networking.k8s.io/v1 NetworkPolicy", policy.APIVersion, policy.Kind)
	}
	if policy.Name == "" {
		return nil, errors.New("metadata.name: missing")
	}
	// The API server would take the namespace from the request; a manifest without one is ambiguous here.
	if policy.Namespace == "" {
		return nil, errors.New("metadata.namespace: missing; the policy's namespace decides which pods it selects")
	}
	if len(policy.Spec.PolicyTypes) == 0 {
		policy.Spec.PolicyTypes = defaultPolicyTypes(&policy.Spec)
	}
	for index, rule := range policy.Spec.Ingress {
		if err := checkPeers(fmt.Sprintf("spec.ingress[%d].from", index), rule.From); err != nil {
			return nil, err
		}
	}
	for index, rule := range policy.Spec.Egress {
		if err := checkPeers(fmt.Sprintf("spec.egress[%d].to", index), rule.To); err != nil {
			return nil, err
		}
	}
	return &policy, nil
}

// defaultPolicyTypes is the API server's defaulting: Ingress always, Egress when egress rules exist.
func defaultPolicyTypes(spec *networkingv1.NetworkPolicySpec) []networkingv1.PolicyType {
	types := []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	if len(spec.Egress) > 0 {
		types = append(types, networkingv1.PolicyTypeEgress)
	}
	return types
}

// checkPeers rejects peers the API server refuses, and ipBlocks the matcher would only fail on while
// judging a case, far from the policy at fault.
func checkPeers(path string, peers []networkingv1.NetworkPolicyPeer) error {
	for index, peer := range peers {
		if peer.IPBlock == nil && peer.NamespaceSelector == nil && peer.PodSelector == nil {
			return fmt.Errorf("%s[%d]: an empty peer, which the API server refuses; give a podSelector, a namespaceSelector or an ipBlock", path, index)
		}
		if peer.IPBlock == nil {
			continue
		}
		cidrs := append([]string{peer.IPBlock.CIDR}, peer.IPBlock.Except...)
		for position, cidr := range cidrs {
			if _, _, err := net.ParseCIDR(cidr); err != nil {
				field := "cidr"
				if position > 0 {
					field = fmt.Sprintf("except[%d]", position-1)
				}
				return fmt.Errorf("%s[%d].ipBlock.%s: %q is not a CIDR (like 10.0.0.0/8)", path, index, field, cidr)
			}
		}
	}
	return nil
}

func decodeCase(raw json.RawMessage) (*matcher.Traffic, string, error) {
	var c trafficCase
	if err := decodeStrict(bytes.NewReader(raw), &c); err != nil {
		// The name still helps find the case when another field is malformed.
		var named struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(raw, &named)
		return nil, named.Name, errors.New(describe(err))
	}
	if c.Name == "" {
		return nil, "", errors.New("name: missing; every case needs a name to match its verdict")
	}
	protocol := corev1.Protocol(c.Protocol)
	switch protocol {
	case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
	default:
		return nil, c.Name, fmt.Errorf("protocol: %q is not one of TCP, UDP, SCTP", c.Protocol)
	}
	if c.Port == nil {
		return nil, c.Name, errors.New("port: missing; give the destination's container port")
	}
	if *c.Port < 1 || *c.Port > 65535 {
		return nil, c.Name, fmt.Errorf("port: %d is not a port (1-65535)", *c.Port)
	}
	source, err := trafficPeer("source", c.Source)
	if err != nil {
		return nil, c.Name, err
	}
	destination, err := trafficPeer("destination", c.Destination)
	if err != nil {
		return nil, c.Name, err
	}
	return &matcher.Traffic{
		Source:           source,
		Destination:      destination,
		ResolvedPort:     *c.Port,
		ResolvedPortName: c.PortName,
		Protocol:         protocol,
	}, c.Name, nil
}

// trafficPeer turns a peer into the matcher's: a pod when it names a namespace, else a host outside the cluster.
func trafficPeer(field string, p *peer) (*matcher.TrafficPeer, error) {
	if p == nil {
		return nil, fmt.Errorf("%s: missing", field)
	}
	// ipBlock rules match every peer by its IP, pods included.
	if p.IP == "" {
		return nil, fmt.Errorf("%s.ip: missing; every peer needs an IP (ipBlock rules match pods by IP too)", field)
	}
	if net.ParseIP(p.IP) == nil {
		return nil, fmt.Errorf("%s.ip: %q is not an IP address", field, p.IP)
	}
	if p.Namespace == nil {
		if p.NamespaceLabels != nil || p.PodLabels != nil {
			return nil, fmt.Errorf("%s.namespace: missing, but labels are given; a peer without a namespace is outside the cluster and has no labels", field)
		}
		return &matcher.TrafficPeer{IP: p.IP}, nil
	}
	if *p.Namespace == "" {
		return nil, fmt.Errorf("%s.namespace: empty; leave it out for a peer outside the cluster", field)
	}
	namespaceLabels := map[string]string{namespaceNameLabel: *p.Namespace}
	for key, value := range p.NamespaceLabels {
		if key == namespaceNameLabel && value != *p.Namespace {
			return nil, fmt.Errorf("%s.namespaceLabels.%s: %q, but the API server sets it to the namespace's name, %q", field, key, value, *p.Namespace)
		}
		namespaceLabels[key] = value
	}
	podLabels := p.PodLabels
	if podLabels == nil {
		podLabels = map[string]string{}
	}
	return &matcher.TrafficPeer{
		IP:       p.IP,
		Internal: &matcher.InternalPeer{Namespace: *p.Namespace, NamespaceLabels: namespaceLabels, PodLabels: podLabels},
	}, nil
}

// decodeStrict decodes one JSON value, refusing unknown fields: a misspelt field would otherwise be
// dropped silently and the verdict be about a different policy or case.
func decodeStrict(input io.Reader, into any) error {
	decoder := json.NewDecoder(input)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(into); err != nil {
		return err
	}
	if decoder.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// describe turns encoding/json's errors into "field: problem".
func describe(err error) string {
	var typeError *json.UnmarshalTypeError
	if errors.As(err, &typeError) && typeError.Field != "" {
		return fmt.Sprintf("%s: expected %s, got a JSON %s", typeError.Field, typeError.Type, typeError.Value)
	}
	if errors.Is(err, io.EOF) {
		return "empty input"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func recovered(do func()) (err error) {
	defer func() {
		if value := recover(); value != nil {
			err = fmt.Errorf("%v", value)
		}
	}()
	do()
	return nil
}

// policyLabel is " (namespace/name)", or " (name)", as far as the raw policy carries them, for messages about it.
func policyLabel(raw json.RawMessage) string {
	var named struct {
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if json.Unmarshal(raw, &named) != nil || named.Metadata.Name == "" {
		return ""
	}
	if named.Metadata.Namespace == "" {
		return fmt.Sprintf(" (%s)", named.Metadata.Name)
	}
	return fmt.Sprintf(" (%s/%s)", named.Metadata.Namespace, named.Metadata.Name)
}

func caseLabel(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" %q", name)
}
