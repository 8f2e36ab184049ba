// Command qingchain-gateway is Qingchain's gateway: the HTTP API, the
// shopper's pages and the Digital Link resolver over a ledger backend (the
// embedded devledger, or a Fabric network). It also carries the operator
// commands for the identity wallet and for verifying the embedded chain.
//
//	qingchain-gateway [serve] [flags]        run the gateway
//	qingchain-gateway keys add IDENTITY      create an API key (printed once)
//	qingchain-gateway keys list              list keys (ids, identities, status)
//	qingchain-gateway keys revoke KEY-ID     revoke a key
//	qingchain-gateway identities list        list wallet identities
//	qingchain-gateway identities enroll --org MSP --name NAME [--admin]
//	qingchain-gateway verify                 recompute the devledger chain
//
// Every command and subcommand answers --help. Only serve creates a data
// directory; the operator commands refuse one that is missing or is not a
// gateway's (no wallet/ in it).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qingchain/qingchain/apps/portal"
	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/authlimit"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/epcis"
	"github.com/qingchain/qingchain/gateway/fabric"
	"github.com/qingchain/qingchain/gateway/httpapi"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/ledgermetrics"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/postgres"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlite"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
	"github.com/qingchain/qingchain/gateway/resolver"
	"github.com/qingchain/qingchain/gateway/retry"
	"github.com/qingchain/qingchain/gateway/scans"
	"github.com/qingchain/qingchain/gateway/wallet"
	"github.com/qingchain/qingchain/network"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // the usage has been printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "qingchain-gateway:", err)
		os.Exit(1)
	}
}

const usage = `usage: qingchain-gateway [command] [flags]

commands:
  serve        run the gateway (the default command); creates its data directory
  keys         API keys: add IDENTITY | list | revoke KEY-ID
  identities   wallet identities: list | enroll --org MSP --name NAME [--admin]
  verify       recompute the devledger chain (asks a running gateway)
  help         this text

Each command answers --help. The operator commands (keys, identities,
verify) work on an existing data directory (--data-dir, env QC_DATA_DIR,
default ./data) and never create one.`

// run runs one command; the operator commands write what they report to out.
// A --help anywhere prints that command's usage to out and returns
// flag.ErrHelp.
func run(ctx context.Context, args []string, out io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && isHelp(args[0]) && args[0] != "help" {
		fmt.Fprintf(out, "%s\n\n", usage)
		return serve(ctx, []string{"--help"}, out)
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, out)
	case "keys":
		return keys(args, out)
	case "identities":
		return identities(args, out)
	case "verify":
		return verify(ctx, args, out)
	case "help":
		fmt.Fprintln(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (serve, keys, identities, verify, help)", cmd)
}

// env returns the environment variable's value or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

func dataDirFlag(fs *flag.FlagSet) *string {
	return fs.String("data-dir", env("QC_DATA_DIR", "data"), "data directory (env QC_DATA_DIR)")
}

// newFlags makes a command's flag set. Its usage (the synopsis, then the
// flags) goes to out on --help; a parse error is returned, not printed.
func newFlags(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fs.SetOutput(out)
		fmt.Fprintf(out, "usage: qingchain-gateway %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args; a bad flag's error says where help is.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return fmt.Errorf("%s: %w (see qingchain-gateway %s --help)", fs.Name(), err, fs.Name())
	}
	return err
}

func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// openDataDir checks that dir is an existing gateway data directory (it
// has a wallet/) without creating anything, then opens its wallet. Only
// serve creates a data directory.
func openDataDir(dir string) (*wallet.Wallet, error) {
	hint := "give the gateway's data directory with --data-dir or QC_DATA_DIR; only \"qingchain-gateway serve\" creates one"
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("data directory %s does not exist (%s)", dir, hint)
	case err != nil:
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	case !st.IsDir():
		return nil, fmt.Errorf("data directory %s is not a directory (%s)", dir, hint)
	}
	if st, err := os.Stat(filepath.Join(dir, "wallet")); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%s is not a gateway data directory: it has no wallet/ (%s)", dir, hint)
	}
	return wallet.Open(filepath.Join(dir, "wallet"))
}

func serve(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("serve", "[serve] [flags]: run the gateway (creates --data-dir if missing)", out)
	dataDir := dataDirFlag(fs)
	backend := fs.String("ledger", env("QC_LEDGER", "devledger"), "ledger backend: devledger or fabric (env QC_LEDGER)")
	listen := fs.String("listen", env("QC_LISTEN", "localhost:8080"), "listen address (env QC_LISTEN)")
	publicURL := fs.String("public-url", env("QC_PUBLIC_URL", ""), "public base URL for QR codes and links (env QC_PUBLIC_URL; default http://<listen>)")
	demoMode := fs.Bool("demo", envBool("QC_DEMO"), "seed fictional demo data on first start (env QC_DEMO)")
	batchMax := fs.Int("batch-max-tx", 500, "devledger: most transactions per block")
	batchTimeout := fs.Duration("batch-timeout", time.Millisecond, "devledger: longest wait to fill a block")
	resolverName := fs.String("resolver-identity", env("QC_RESOLVER_IDENTITY", "public-resolver"), "wallet identity the public Digital Link resolver reads as (created on devledger if missing)")
	scanDevices := fs.Int("scan-alert-devices", 20, "distinct devices that have checked one item's code from which the shopper's page warns of a possible copy")
	scanPlaces := fs.Int("scan-alert-places", 8, "distinct places (networks, /16 IPv4 or /32 IPv6) from which one item's code has been checked that make the page warn of a possible copy")
	scanWindow := fs.Duration("scan-window", 12*time.Hour, "the same device checking an item again within this window is not counted again")
	vocabNS := fs.String("vocab-namespace", env("QC_VOCAB_NAMESPACE", ""), "namespace of Qingchain's own EPCIS terms, an absolute URI ending in / or # (env QC_VOCAB_NAMESPACE; default <public-url>/voc/); its JSON-LD context is served at /voc/context.jsonld")
	trustedProxies := fs.String("trusted-proxies", env("QC_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDRs of the reverse proxies whose X-Forwarded-For names the client (env QC_TRUSTED_PROXIES; default none: the client is the connection's peer)")
	postgresURL := fs.String("postgres-url", env("QC_POSTGRES_URL", ""), "the read model (lists, statistics, events) on this PostgreSQL server, postgres://user:pass@host:port/db, shared by several gateways (env QC_POSTGRES_URL; default: embedded SQLite, <data-dir>/readmodel.db)")
	readerName := fs.String("readmodel-identity", env("QC_READMODEL_IDENTITY", "regulator"), "wallet identity (a member of the zone regulator's enterprise) the read model's projector reads entities as; financings it reads as their parties' wallet identities (env QC_READMODEL_IDENTITY)")
	allowPrivateHooks := fs.Bool("webhook-allow-private", envBool("QC_WEBHOOK_ALLOW_PRIVATE"), "let webhooks be registered at and delivered to loopback, private and link-local addresses (env QC_WEBHOOK_ALLOW_PRIVATE; default off: only public receivers, so a caller cannot make the gateway POST into its own network)")
	pprofListen := fs.String("pprof-listen", env("QC_PPROF_LISTEN", ""), "serve the runtime's profiles (/debug/pprof/) on this loopback address, a listener apart from the API's (env QC_PPROF_LISTEN; default: not served)")
	logLevel := fs.String("log-level", env("QC_LOG_LEVEL", "info"), "debug, info, warn or error")
	fabricNetwork := fs.String("fabric-network", env("QC_FABRIC_NETWORK", ""), "fabric: the network description (network.json from scripts/network.sh up); every user's MSP folder is loaded into the wallet as <org>-<user>, e.g. bank-User1 (env QC_FABRIC_NETWORK)")
	fabricChaincode := fs.String("fabric-chaincode", env("QC_FABRIC_CHAINCODE", "qingchain"), "fabric: chaincode name (env QC_FABRIC_CHAINCODE)")
	fabricIdentity := fs.String("fabric-identity", env("QC_FABRIC_IDENTITY", "platform-User1"), "fabric: wallet identity that reads events, blocks and transactions, and the resolver's when --resolver-identity is not in the wallet (env QC_FABRIC_IDENTITY)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, only flags (got %q)", fs.Arg(0))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *pprofListen != "" {
		if err := checkPprofAddr(*pprofListen); err != nil {
			return err
		}
	}
	if *publicURL == "" {
		*publicURL = "http://" + *listen
	}
	proxies, err := parseProxies(*trustedProxies)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return err
	}

	var ledger gateway.Ledger
	var cas demo.CA
	clock := &demo.Clock{}
	switch *backend {
	case "devledger":
		cc, err := contracts.New()
		if err != nil {
			return err
		}
		// The chaincode's definition on the Fabric network: its
		// endorsement policy and private data collections (network/).
		collRaw, err := network.Collections("qingchain")
		if err != nil {
			return err
		}
		var colls []devledger.Collection
		if collRaw != nil {
			if colls, err = devledger.ParseCollections(collRaw); err != nil {
				return err
			}
		}
		l, err := devledger.Open(devledger.Config{
			Dir: filepath.Join(*dataDir, "ledger"), Chaincode: cc, Orgs: demo.Orgs,
			EndorsementPolicy: network.EndorsementPolicy(), Collections: colls,
			BatchMaxTx: *batchMax, BatchTimeout: *batchTimeout, Logger: log, Now: clock.Now,
		})
		if err != nil {
			return err
		}
		defer l.Close()
		ledger, cas = l, l
		// verify asks the running gateway through this socket, since
		// nothing else can read the ledger while it is open here.
		if vs, err := l.ServeVerify(); err != nil {
			log.Warn("verify will not work while the gateway runs", "err", err.Error())
		} else {
			defer vs.Close()
		}
	case "fabric":
		if *fabricNetwork == "" {
			return errors.New("--ledger fabric needs --fabric-network, the network.json that scripts/network.sh up writes")
		}
		fw, err := wallet.Open(filepath.Join(*dataDir, "wallet"))
		if err != nil {
			return err
		}
		l, names, err := fabric.OpenNetwork(*fabricNetwork, *fabricChaincode, fw, *fabricIdentity, log)
		if err != nil {
			return err
		}
		defer l.Close()
		// Without an identity of its own the public resolver reads as the
		// Fabric reader identity.
		if _, err := fw.Identity(*resolverName); errors.Is(err, wallet.ErrNoIdentity) {
			if err := fw.PutIdentity(*resolverName, l.Reader()); err != nil {
				return err
			}
		}
		log.Info("fabric network", "description", *fabricNetwork, "chaincode", *fabricChaincode, "reader", *fabricIdentity, "walletIdentities", len(names))
		ledger = l
	default:
		return fmt.Errorf("--ledger must be devledger or fabric, not %q", *backend)
	}

	w, err := wallet.Open(filepath.Join(*dataDir, "wallet"))
	if err != nil {
		return err
	}

	if *demoMode {
		if *backend != "devledger" {
			return errors.New("--demo needs the devledger backend")
		}
		// In story order: the pledge and the insurance finance the tea,
		// the margin call the chicken.
		if err := demo.Seed(ctx, ledger, clock, cas, w, *dataDir, *publicURL, log,
			demo.Tea, demo.Chicken, demo.ReceiptPledge, demo.ExportCreditInsurance, demo.MarginCall, demo.TradeVerification); err != nil {
			return err
		}
	}

	resolverID, err := resolverIdentity(w, cas, *resolverName)
	if err != nil {
		return err
	}
	store, err := openReadModel(ctx, *dataDir, *postgresURL, log)
	if err != nil {
		return err
	}
	defer store.Close()
	// Idempotency-Key records live in the read model's database, so that
	// the gateways sharing a PostgreSQL answer a replayed key alike.
	idem := store.Idempotency(24 * time.Hour)
	if _, err := idem.Prune(ctx, time.Now()); err != nil {
		return err
	}
	readerID, err := w.Identity(*readerName)
	if err != nil {
		log.Warn("read model: no reader identity; entities are read as their parties' wallet identities only", "identity", *readerName, "err", err.Error())
		readerID = nil
	}
	cc := client.New(ledger)
	projector := &readmodel.Projector{Ledger: ledger, Store: store, Log: log,
		Source: &readmodel.LedgerSource{Client: cc, Reader: readerID,
			Directory: (&readmodel.WalletDirectory{Client: cc, Wallet: w, Log: log}).Lookup}}
	host, _ := os.Hostname()
	dispatcher := &readmodel.Dispatcher{Store: store, Hooks: store, Projector: projector, Log: log, AllowPrivate: *allowPrivateHooks,
		ID: fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano())}
	if *allowPrivateHooks {
		// Said at every start, so that a setting meant for a test bench is
		// seen if it reaches production.
		log.Warn("webhooks may be registered at and delivered to private, loopback and link-local addresses (--webhook-allow-private)")
	}
	projCtx, stopProjector := context.WithCancel(ctx)
	projDone := make(chan struct{}, 2)
	for _, run := range []func(context.Context) error{projector.Run, dispatcher.Run} {
		go func() {
			defer func() { projDone <- struct{}{} }()
			_ = run(projCtx) // ends with ctx
		}()
	}
	defer func() {
		stopProjector()
		<-projDone
		<-projDone
	}()

	// Scans and shoppers' reports live in the read model's database, so
	// that the gateways sharing a PostgreSQL count one scan once. A
	// scans.db left by an older gateway in the data directory is not read.
	counter := scans.New(store, scans.Policy{Window: *scanWindow, AlertDevices: *scanDevices, AlertPlaces: *scanPlaces})

	// Every call is measured, each attempt of a conflicted submission
	// included; the HTTP side sees one ledger that retries by itself.
	reg := prometheus.NewRegistry()
	measured, err := ledgermetrics.New(ledger, reg)
	if err != nil {
		return err
	}
	for _, c := range projector.Collectors(2 * time.Second) {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	served := retry.New(measured, retry.Config{OnRetry: measured.CountRetry})
	vocab, err := epcis.NewVocab(*publicURL, *vocabNS)
	if err != nil {
		return err
	}
	res := resolver.New(resolver.Config{Ledger: served, Identity: resolverID, PublicURL: *publicURL,
		Scans: counter, Reports: store, Vocab: vocab, Logger: log})
	// One budget of failed authentications per address, for the API's
	// keys and the portal's sign-in alike.
	limiter, err := authlimit.New(authlimit.DefaultBurst, authlimit.DefaultInterval, authlimit.DefaultAddresses, nil)
	if err != nil {
		return err
	}
	web, err := portal.New(portal.Config{Ledger: served, Wallet: w, Sessions: store.Sessions(), Lists: store, Limiter: limiter,
		Statuses: httpapi.ErrorStatuses(), Logger: log})
	if err != nil {
		return err
	}
	srv, err := httpapi.New(httpapi.Config{Ledger: served, Wallet: w, Idempotency: idem, Logger: log, PublicURL: *publicURL,
		Resolver: res, Metrics: reg, TrustedProxies: proxies, AuthLimiter: limiter, Apps: []httpapi.App{web},
		ReadModel: &httpapi.ReadModel{Store: store, Projector: projector, Hooks: store}, AllowPrivateWebhooks: *allowPrivateHooks})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	if *pprofListen != "" {
		stop, err := servePprof(ctx, *pprofListen, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	fmt.Fprintf(out, "Qingchain gateway on %s (ledger: %s, data: %s)\n", *publicURL, *backend, *dataDir)
	if *demoMode {
		fmt.Fprintf(out, "Demo API keys: %s\nDemo entities: %s\n", filepath.Join(*dataDir, demo.CredentialsFile), filepath.Join(*dataDir, demo.EntitiesFile))
	}
	fmt.Fprintf(out, "Portal: %s/ (sign in with an API key)\n", *publicURL)
	if *demoMode {
		if err := printDemoSignIns(out, *dataDir); err != nil {
			return err
		}
	}
	log.Info("serving", "addr", ln.Addr().String(), "publicUrl", *publicURL, "ledger", *backend)
	return httpapi.Serve(ctx, ln, srv.Handler(), log, 30*time.Second)
}

// printDemoSignIns lists the demo users' portal sign-ins: name,
// organisation, kinds and API key (the demo's keys are fictional and
// random per data directory).
func printDemoSignIns(out io.Writer, dataDir string) error {
	raw, err := os.ReadFile(filepath.Join(dataDir, demo.CredentialsFile))
	if err != nil {
		return err
	}
	var creds demo.Credentials
	if err := json.Unmarshal(raw, &creds); err != nil {
		return fmt.Errorf("%s: %w", demo.CredentialsFile, err)
	}
	fmt.Fprintln(out, "Demo sign-ins (paste the key into the portal's sign-in form):")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USER\tORG\tKINDS\tAPI KEY")
	for _, u := range creds.Users {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", u.Name, u.Org, strings.Join(u.Kinds, ","), u.APIKey)
	}
	return tw.Flush()
}

// openReadModel opens the read model's store: PostgreSQL when a URL is
// given, else the embedded SQLite database in the data directory.
func openReadModel(ctx context.Context, dataDir, postgresURL string, log *slog.Logger) (*sqlstore.Store, error) {
	if postgresURL != "" {
		s, err := postgres.Open(ctx, postgresURL, log)
		if err != nil {
			return nil, fmt.Errorf("--postgres-url: %w", err)
		}
		return s, nil
	}
	return sqlite.OpenDir(ctx, dataDir, log)
}

// parseProxies reads --trusted-proxies: addresses or CIDRs, comma-separated.
func parseProxies(list string) ([]string, error) {
	var out []string
	for p := range strings.SplitSeq(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			if _, err := netip.ParsePrefix(p); err != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is neither an IP address nor a CIDR prefix", p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// resolverIdentity loads the resolver's wallet identity; on devledger it is
// enrolled in the platform organisation the first time.
func resolverIdentity(w *wallet.Wallet, cas demo.CA, name string) (*identity.Identity, error) {
	id, err := w.Identity(name)
	if err == nil || !errors.Is(err, wallet.ErrNoIdentity) || cas == nil {
		return id, err
	}
	ca, err := cas.CA(demo.PlatformMSP)
	if err != nil {
		return nil, err
	}
	if id, err = ca.Issue(name, identity.RoleClient, nil); err != nil {
		return nil, err
	}
	return id, w.PutIdentity(name, id)
}

// parseInterspersed parses flags given before or after the positional
// arguments ("keys add NAME --data-dir D" as well as "keys add --data-dir
// D NAME") and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// keys manages API keys. Only add prints a secret, the new key, once;
// list and revoke show key ids and identity names, which reveal nothing of
// a key, and never repeat a revoke argument that may be a key.
func keys(args []string, out io.Writer) error {
	const synopsis = "keys add IDENTITY | keys list | keys revoke KEY-ID  [--data-dir DIR]"
	if len(args) == 0 {
		return errors.New("usage: qingchain-gateway " + synopsis)
	}
	sub, args := args[0], args[1:]
	synopses := map[string]string{
		"add":    "keys add IDENTITY [--data-dir DIR]: create an API key for a wallet identity; the key is printed once",
		"list":   "keys list [--data-dir DIR]: list the keys' ids, identities and status (never a key)",
		"revoke": "keys revoke KEY-ID [--data-dir DIR]: revoke a key by its id (or by the key itself, which is not printed)",
	}
	if isHelp(sub) {
		fmt.Fprintf(out, "usage: qingchain-gateway %s\n\n  %s\n  %s\n  %s\n", synopsis, synopses["add"], synopses["list"], synopses["revoke"])
		return flag.ErrHelp
	}
	if synopses[sub] == "" {
		return fmt.Errorf("keys: unknown subcommand %q (add, list, revoke; see keys --help)", sub)
	}
	fs := newFlags("keys "+sub, synopses[sub], out)
	dataDir := dataDirFlag(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	w, err := openDataDir(*dataDir)
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		if len(pos) != 1 {
			return errors.New("keys add IDENTITY")
		}
		plain, k, err := w.AddKey(pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "key id: %s\nidentity: %s\napi key (shown once): %s\n", k.ID, k.Identity, plain)
		return nil
	case "list":
		ks, err := w.Keys()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY ID\tIDENTITY\tCREATED\tSTATUS")
		for _, k := range ks {
			status := "active"
			if k.RevokedAt != nil {
				status = "revoked " + k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, k.Identity, k.CreatedAt.Format(time.RFC3339), status)
		}
		return tw.Flush()
	case "revoke":
		if len(pos) != 1 {
			return errors.New("keys revoke KEY-ID")
		}
		k, err := w.RevokeKey(pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "key %s (identity %s) revoked at %s\n", k.ID, k.Identity, k.RevokedAt.Format(time.RFC3339))
		return nil
	}
	return fmt.Errorf("keys: unknown subcommand %q", sub) // unreachable: checked above
}

func identities(args []string, out io.Writer) error {
	const synopsis = "identities list | identities enroll --org MSP --name NAME [--admin]  [--data-dir DIR]"
	if len(args) == 0 {
		return errors.New("usage: qingchain-gateway " + synopsis)
	}
	sub, args := args[0], args[1:]
	synopses := map[string]string{
		"list":   "identities list [--data-dir DIR]: the wallet's identities, their MSP IDs and client ids",
		"enroll": "identities enroll --org MSP --name NAME [--admin] [--data-dir DIR]: issue a devledger identity from the organisation's CA into the wallet",
	}
	if isHelp(sub) {
		fmt.Fprintf(out, "usage: qingchain-gateway %s\n\n  %s\n  %s\n", synopsis, synopses["list"], synopses["enroll"])
		return flag.ErrHelp
	}
	if synopses[sub] == "" {
		return fmt.Errorf("identities: unknown subcommand %q (list, enroll; see identities --help)", sub)
	}
	fs := newFlags("identities "+sub, synopses[sub], out)
	dataDir := dataDirFlag(fs)
	var org, name *string
	var admin *bool
	if sub == "enroll" {
		org = fs.String("org", "", "organisation MSP ID")
		name = fs.String("name", "", "identity name (also the certificate's common name)")
		admin = fs.Bool("admin", false, "enrol an organisation admin (OU admin)")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("identities %s takes no arguments, only flags (got %q)", sub, fs.Arg(0))
	}
	w, err := openDataDir(*dataDir)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		names, err := w.Identities()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tMSP ID\tCLIENT ID")
		for _, n := range names {
			id, err := w.Identity(n)
			if err != nil {
				fmt.Fprintf(tw, "%s\t?\t%v\n", n, err)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", n, id.MSPID, id.ID())
		}
		return tw.Flush()
	case "enroll":
		if *org == "" || *name == "" {
			return errors.New("identities enroll --org MSP --name NAME [--admin]")
		}
		ca, err := devledger.LoadCA(filepath.Join(*dataDir, "ledger"), *org)
		if err != nil {
			return err
		}
		role := identity.RoleClient
		if *admin {
			role = identity.RoleAdmin
		}
		id, err := ca.Issue(*name, role, nil)
		if err != nil {
			return err
		}
		if _, err := w.Identity(*name); err == nil {
			return fmt.Errorf("identity %s already exists", *name)
		}
		if err := w.PutIdentity(*name, id); err != nil {
			return err
		}
		fmt.Fprintf(out, "enrolled %s in %s\nclient id (bind it with POST /api/v1/enterprises/{code}/members): %s\n", *name, *org, id.ID())
		return nil
	}
	return fmt.Errorf("identities: unknown subcommand %q", sub) // unreachable: checked above
}

// verify recomputes the devledger chain. While a gateway holds the data
// directory it asks that gateway, over the socket in the ledger directory,
// to verify its open ledger.
func verify(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("verify", "verify [--data-dir DIR] [--lock-timeout D]: recompute the devledger chain; while a gateway runs, ask it", out)
	dataDir := dataDirFlag(fs)
	lockTimeout := fs.Duration("lock-timeout", devledger.DefaultLockTimeout, "how long to wait for the ledger's lock before asking the running gateway")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("verify takes no arguments, only flags (got %d)", fs.NArg())
	}
	if *lockTimeout <= 0 {
		return errors.New("--lock-timeout must be positive")
	}
	rep, err := devledger.VerifyDir(ctx, filepath.Join(*dataDir, "ledger"), *lockTimeout)
	if err != nil {
		return err
	}
	by := "read from the stopped ledger's files"
	if rep.PID != 0 {
		by = fmt.Sprintf("verified by the running gateway, pid %d", rep.PID)
	}
	fmt.Fprintf(out, "chain valid: %d blocks, %d transactions (%d valid), last block hash %x (%s)\n", rep.Blocks, rep.Transactions, rep.Valid, rep.LastHash, by)
	return nil
}
