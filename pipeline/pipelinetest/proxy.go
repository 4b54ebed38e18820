package pipelinetest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy is a TCP proxy between shopetl and a real server (the test
// ClickHouse), for tests that take the server away without stopping it:
// Cut closes every connection and refuses new ones, as a server that went
// down would; Restore accepts them again on the same address. It is safe
// for concurrent use, so a simulated shop's handler may cut it mid-run.
type Proxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex            // guards ln and conns
	ln    net.Listener          // nil while cut
	conns map[net.Conn]struct{} // both ends of every proxied connection

	wg sync.WaitGroup // accept loops and pipes, waited for at cleanup
}

// NewProxy listens on a loopback port and forwards every connection to
// target. It is cut and its goroutines are gone when the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(func() {
		p.Cut()
		p.wg.Wait()
	})
	return p
}

// Addr is the host:port clients connect to.
func (p *Proxy) Addr() string { return p.addr }

// Cut stops listening, so that connecting is refused, and closes every
// connection, so that reads and writes in flight fail.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Restore listens on the address again. Connections closed by Cut stay
// closed; clients dial new ones.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		return
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		// Errorf, not Fatal: Restore may run on a goroutine of the test's.
		p.t.Errorf("proxy: listen on %s again: %v", p.addr, err)
		return
	}
	p.serve(ln)
}

// serve makes ln the listener and accepts from it until it is closed.
// Callers hold mu, or own p alone.
func (p *Proxy) serve(ln net.Listener) {
	p.ln = ln
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by Cut
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.pipe(ln, c)
			}()
		}
	}()
}

// pipe forwards one accepted connection to the target until either side
// closes or Cut closes both.
func (p *Proxy) pipe(ln net.Listener, client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	if p.ln != ln { // cut while this connection was being accepted
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.conns[client], p.conns[server] = struct{}{}, struct{}{}
	p.mu.Unlock()

	done := make(chan struct{}, 2)
	copyThenClose := func(dst, src net.Conn) {
		io.Copy(dst, src)
		dst.Close()
		src.Close()
		done <- struct{}{}
	}
	go copyThenClose(server, client)
	go copyThenClose(client, server)
	<-done
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}
