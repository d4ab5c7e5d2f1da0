package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// TLSFiles names the PEM files of a secured CTI connection (UCCE 12.x offers one).
type TLSFiles struct {
	CAFile     string // CA certificates that sign the server's certificate; "" means the system roots
	CertFile   string // client certificate, when the server asks for one
	KeyFile    string // its private key
	ServerName string // name to verify in the server's certificate; "" means each side's host
}

// Config loads the files into a client tls.Config (TLS 1.2 or later) for [WithTLS].
func (f TLSFiles) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: f.ServerName}
	if f.CAFile != "" {
		pem, err := os.ReadFile(f.CAFile)
		if err != nil {
			return nil, fmt.Errorf("cti: TLS CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("cti: TLS CA %s: no PEM certificate found", f.CAFile)
		}
		cfg.RootCAs = pool
	}
	if (f.CertFile == "") != (f.KeyFile == "") {
		return nil, fmt.Errorf("cti: TLS client certificate needs both a certificate and a key file")
	}
	if f.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("cti: TLS client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
