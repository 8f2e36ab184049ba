package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/qingchain/qingchain/tools/fabca/internal/caclient"
	"github.com/qingchain/qingchain/tools/fabca/internal/chanconfig"
	"github.com/qingchain/qingchain/tools/fabca/internal/mspdir"
)

// caFlags are the flags of every command that talks to a CA.
type caFlags struct {
	url, tlsCert, caName, mspID, registrar string
	caFile, tlsCAFile                      string
}

func (f *caFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "ca-url", "", "the Fabric CA, https://HOST:PORT")
	fs.StringVar(&f.tlsCert, "ca-tls", "", "PEM file of the CA that signed the CA server's TLS certificate")
	fs.StringVar(&f.caName, "ca-name", "", "the CA's name on its server (default: the server's default CA)")
	fs.StringVar(&f.mspID, "msp-id", "", "the organisation's MSP ID")
	fs.StringVar(&f.registrar, "registrar", "admin", "the registrar's enrolment ID (secret in FABCA_REGISTRAR_SECRET)")
	fs.StringVar(&f.caFile, "ca-file", "ca-cert.pem", "file name of the CA certificate in msp/cacerts/")
	fs.StringVar(&f.tlsCAFile, "tls-ca-file", "tlsca-cert.pem", "file name of the TLS CA certificate in msp/tlscacerts/")
}

func caCommand(ctx context.Context, cmd string, args []string, out io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("fabca "+cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	var cf caFlags
	cf.register(fs)
	var (
		id, typ, attrs, affiliation, msp, tlsDir, tlsRole, hosts, reason, crlFile, mspCRL string
		maxEnroll                                                                         int
	)
	fs.StringVar(&id, "id", "", "the identity's enrolment ID (also its certificate's common name)")
	switch cmd {
	case "register", "issue":
		fs.StringVar(&typ, "type", "client", "identity type: client, admin, peer or orderer (the certificate's role OU)")
		fs.StringVar(&attrs, "attrs", "", "attributes for the enrolment certificate, name=value,...")
		fs.StringVar(&affiliation, "affiliation", "", "the identity's affiliation (default: none)")
		fs.IntVar(&maxEnroll, "max-enrollments", 0, "how often the secret may be used (0: the server's default, -1: unlimited)")
	}
	switch cmd {
	case "org-msp", "enroll", "issue":
		fs.StringVar(&msp, "msp", "", "the MSP folder to write")
	}
	switch cmd {
	case "enroll", "issue":
		fs.StringVar(&tlsDir, "tls", "", "also enrol a TLS certificate (profile tls) into this folder")
		fs.StringVar(&tlsRole, "tls-role", "client", "TLS files: server (server.crt/.key, nodes) or client (client.crt/.key)")
		fs.StringVar(&hosts, "hosts", "", "subject alternative names of the TLS certificate, comma-separated")
	case "revoke":
		fs.StringVar(&reason, "reason", "", "RFC 5280 reason: keycompromise, affiliationchange, superseded, cessationofoperation, ... (default unspecified)")
		fs.StringVar(&crlFile, "crl", "", "write the CA's CRL (PEM) to this file")
		fs.StringVar(&mspCRL, "msp-crl", "", "also put the CRL into this MSP folder's crls/ (the organisation's msp/)")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s takes only flags (got %q)", cmd, fs.Arg(0))
	}
	if cf.url == "" || cf.tlsCert == "" || cf.mspID == "" {
		return fmt.Errorf("%s needs -ca-url, -ca-tls and -msp-id", cmd)
	}
	if cmd != "org-msp" && id == "" {
		return fmt.Errorf("%s needs -id", cmd)
	}
	if (cmd == "org-msp" || cmd == "enroll" || cmd == "issue") && msp == "" {
		return fmt.Errorf("%s needs -msp", cmd)
	}
	at, err := parseAttrs(attrs)
	if err != nil {
		return err
	}

	state, err := os.MkdirTemp("", "fabca-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)
	cfg := caclient.Config{URL: cf.url, TLSCACert: cf.tlsCert, CAName: cf.caName, MSPID: cf.mspID, StateDir: state}
	if cmd == "register" || cmd == "issue" || cmd == "revoke" {
		cfg.Registrar, cfg.RegistrarSecret = cf.registrar, os.Getenv("FABCA_REGISTRAR_SECRET")
		if cfg.RegistrarSecret == "" {
			return fmt.Errorf("%s acts as the registrar %s: set FABCA_REGISTRAR_SECRET", cmd, cf.registrar)
		}
	}
	c, err := caclient.New(cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := ctx.Err(); err != nil {
		return err
	}

	cas := func() (mspdir.CAs, error) {
		chain, err := c.CAChain()
		if err != nil {
			return mspdir.CAs{}, err
		}
		root := firstPEM(chain)
		if root == nil {
			return mspdir.CAs{}, errors.New("the CA's chain holds no certificate")
		}
		// One CA per organisation issues both the enrolment and (profile
		// tls) the TLS certificates, so it is the TLS CA as well.
		return mspdir.CAs{CertPEM: root, TLSCertPEM: root, File: cf.caFile, TLSFile: cf.tlsCAFile}, nil
	}

	secret := os.Getenv("FABCA_SECRET")
	switch cmd {
	case "org-msp":
		ca, err := cas()
		if err != nil {
			return err
		}
		if err := mspdir.WriteOrg(msp, ca); err != nil {
			return err
		}
		log.Info("organisation MSP written", "msp", msp, "mspId", cf.mspID)
		return nil
	case "register", "issue":
		s, err := c.Register(caclient.Registration{Name: id, Type: typ, Secret: secret, Affiliation: affiliation, Attrs: at, MaxEnrollments: maxEnroll})
		if err != nil {
			return err
		}
		log.Info("registered", "id", id, "type", typ, "mspId", cf.mspID)
		if cmd == "register" {
			if secret == "" {
				// Made up by the CA: the one place it is ever shown.
				fmt.Fprintf(out, "%s\n", s)
			}
			return nil
		}
		secret = s
	case "revoke":
		serials, crl, err := c.Revoke(id, reason)
		if err != nil {
			return err
		}
		log.Info("revoked", "id", id, "certificates", len(serials), "serials", serials)
		if crlFile != "" {
			if err := os.MkdirAll(filepath.Dir(crlFile), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(crlFile, crl, 0o644); err != nil {
				return err
			}
			log.Info("CRL written", "file", crlFile)
		}
		if mspCRL != "" {
			if err := mspdir.WriteCRL(mspCRL, crl); err != nil {
				return err
			}
			log.Info("CRL put into the MSP folder", "msp", mspCRL)
		}
		return nil
	}

	// enroll, issue
	if secret == "" {
		return errors.New("enroll needs the identity's secret in FABCA_SECRET")
	}
	ca, err := cas()
	if err != nil {
		return err
	}
	e, err := c.Enroll(id, secret, "", nil)
	if err != nil {
		return err
	}
	if err := mspdir.WriteMember(msp, mspdir.Identity{Name: id, CertPEM: e.CertPEM, KeyPEM: e.KeyPEM}, ca); err != nil {
		return err
	}
	log.Info("enrolled", "id", id, "msp", msp)
	if tlsDir != "" {
		t, err := c.Enroll(id, secret, "tls", splitList(hosts))
		if err != nil {
			return err
		}
		if err := mspdir.WriteTLS(tlsDir, tlsRole, mspdir.Identity{Name: id, CertPEM: t.CertPEM, KeyPEM: t.KeyPEM}, ca.TLSCertPEM); err != nil {
			return err
		}
		log.Info("TLS certificate enrolled", "id", id, "tls", tlsDir, "hosts", hosts)
	}
	return nil
}

func crlUpdate(args []string, out io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("fabca crl-update", flag.ContinueOnError)
	fs.SetOutput(out)
	block := fs.String("config-block", "", "the channel's config block (peer channel fetch config)")
	mspID := fs.String("msp-id", "", "the organisation whose channel MSP gets the CRL")
	crlFile := fs.String("crl", "", "the CRL, PEM (fabca revoke -crl)")
	outFile := fs.String("out", "", "where to write the CONFIG_UPDATE envelope (for peer channel update -f)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *block == "" || *mspID == "" || *crlFile == "" || *outFile == "" || fs.NArg() > 0 {
		return errors.New("crl-update needs -config-block, -msp-id, -crl and -out, and no arguments")
	}
	raw, err := os.ReadFile(*block)
	if err != nil {
		return err
	}
	crl, err := os.ReadFile(*crlFile)
	if err != nil {
		return err
	}
	env, channel, err := chanconfig.CRLUpdate(raw, *mspID, crl)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*outFile, env, 0o644); err != nil {
		return err
	}
	log.Info("config update written", "channel", channel, "mspId", *mspID, "file", *outFile)
	return nil
}

func firstPEM(chain []byte) []byte {
	for len(chain) > 0 {
		var b []byte
		b, chain = cutPEM(chain)
		if b != nil {
			return b
		}
	}
	return nil
}
