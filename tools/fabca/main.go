// Command fabca is Qingchain's operator tool for Fabric CA: it registers and
// enrols identities with an organisation's Fabric CA through fabric-sdk-go,
// writes them as MSP folders in the layout scripts/network.sh and the
// gateway's wallet load (cryptogen's), revokes them, and makes the channel
// configuration update that puts the CA's CRL into the organisation's
// channel MSP, so that every peer and orderer refuses a revoked identity.
//
// It is its own Go module: fabric-sdk-go's protobuf packages (the older
// github.com/hyperledger/fabric-protos-go) register the same protobuf names
// as the fabric-gateway packages the gateway is built with, and the two
// cannot be linked into one binary.
//
//	fabca org-msp    write an organisation's MSP folder from its CA's chain
//	fabca register   register an identity (as the CA's registrar)
//	fabca enroll     enrol a registered identity into an MSP folder (+ TLS)
//	fabca issue      register and enrol in one step
//	fabca revoke     revoke an identity, write the CA's CRL
//	fabca crl-update make the channel config update carrying a CRL
//
// Secrets come from the environment, never from the command line (which
// other users of the machine can read): FABCA_REGISTRAR_SECRET for the
// registrar, FABCA_SECRET for the identity's enrolment secret.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `fabca: Fabric CA operations for a Qingchain network (fabric-sdk-go)

  fabca org-msp    CA flags -msp DIR
  fabca register   CA flags -id NAME -type client|admin|peer|orderer [-attrs k=v,...] [-affiliation A]
  fabca enroll     CA flags -id NAME -msp DIR [-tls DIR -tls-role server|client] [-hosts h,...]
  fabca issue      CA flags -id NAME -type T -msp DIR [-tls DIR ...]   register + enroll
  fabca revoke     CA flags -id NAME [-reason R] [-crl FILE] [-msp-crl DIR]
  fabca crl-update -config-block FILE -msp-id MSP -crl FILE -out FILE

CA flags: -ca-url https://HOST:PORT -ca-tls CERT.pem -msp-id MSP [-ca-name NAME]
  [-registrar ID] (register, issue, revoke: its secret in FABCA_REGISTRAR_SECRET)
  [-ca-file NAME -tls-ca-file NAME] (file names of the CA certificates in msp/)
Enrolment secret: FABCA_SECRET (register and issue: the one to set, else the
CA makes one up and register prints it; enroll: the one to use).
Run "fabca COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(ctx, os.Args[1:], os.Stdout, log); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "fabca:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("no command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "org-msp", "register", "enroll", "issue", "revoke":
		return caCommand(ctx, cmd, rest, out, log)
	case "crl-update":
		return crlUpdate(rest, out, log)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(out, usage)
		return nil
	}
	fmt.Fprint(out, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// parseAttrs reads k=v,k=v.
func parseAttrs(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("-attrs: %q is not name=value", kv)
		}
		m[k] = v
	}
	return m, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
