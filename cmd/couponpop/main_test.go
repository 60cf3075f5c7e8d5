package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/couponpop/couponpop/client"
)

// TestMain lets a test start this test binary as the couponpop command:
// with COUPONPOP_TEST_MAIN=1 it runs main() instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("COUPONPOP_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// nodeProcess is a couponpop serve process started by a test.
type nodeProcess struct {
	t    testing.TB
	cmd  *exec.Cmd
	URL  string
	Data string
	log  *os.File
}

const testJWTSecret = "crash-test-secret-crash-test-secret!"

// startNode runs `couponpop serve` on a free loopback port over dataDir
// and waits for /healthz.
func startNode(t testing.TB, dataDir string, extraArgs ...string) *nodeProcess {
	t.Helper()
	addr := freeAddr(t)
	logFile, err := os.OpenFile(filepath.Join(dataDir+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--addr", addr, "--data", dataDir, "--log-level", "warn"}, extraArgs...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "COUPONPOP_TEST_MAIN=1", "COUPONPOP_JWT_SECRET="+testJWTSecret)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &nodeProcess{t: t, cmd: cmd, URL: "http://" + addr, Data: dataDir, log: logFile}
	t.Cleanup(func() { n.kill(); logFile.Close() })
	c := client.New(n.URL)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c.Healthy(context.Background()) {
			return n
		}
		if cmd.ProcessState != nil {
			break
		}
	}
	out, _ := os.ReadFile(logFile.Name())
	t.Fatalf("node on %s never became healthy:\n%s", addr, out)
	return nil
}

// kill stops the node with SIGKILL: no shutdown, no flush.
func (n *nodeProcess) kill() {
	if n.cmd.ProcessState == nil {
		_ = n.cmd.Process.Kill()
		_ = n.cmd.Wait()
	}
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// ownerClient signs up and logs in a new owner.
func ownerClient(t testing.TB, url string) *client.Client {
	t.Helper()
	ctx := context.Background()
	c := client.New(url)
	email := fmt.Sprintf("owner-%d@example.com", time.Now().UnixNano())
	if _, err := c.Signup(ctx, client.Signup{Email: email, Username: "owner", Password: "Passw0rd!",
		ConfirmPassword: "Passw0rd!", PhoneNumber: "01012345678", MemberType: "OWNER"}); err != nil {
		t.Fatal(err)
	}
	tok, err := c.Login(ctx, email, "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	return c.WithToken(tok.AccessToken)
}

// testStore is a store open all day at (lat, lng).
func testStore(name string, lat, lng float64) client.Store {
	return client.Store{Name: name, Phone: "01012345678", BusinessNumber: "1234567890", Address: "서울특별시 한강",
		Dong: "여의동", Latitude: lat, Longitude: lng, StoreCategory: "CAFE", WeekdayOpenTime: "00:00",
		WeekdayCloseTime: "24:00", WeekendOpenTime: "00:00", WeekendCloseTime: "24:00"}
}

// ownerEvent signs up an owner and creates a store and a running event.
func ownerEvent(t testing.TB, url string, total int) (*client.Client, int64) {
	t.Helper()
	ctx := context.Background()
	owner := ownerClient(t, url)
	st, err := owner.CreateStore(ctx, testStore("크래시 카페", 37.5572, 126.9245))
	if err != nil {
		t.Fatal(err)
	}
	kst := time.FixedZone("KST", 9*3600)
	start := time.Now().Add(-time.Minute).In(kst)
	id, err := owner.CreateEvent(ctx, client.NewEvent{StoreID: st.ID, Name: "크래시 테스트", TotalCount: total,
		EventStartAt: start.Format("2006-01-02T15:04:05"), EventEndAt: start.Add(2 * time.Hour).Format("2006-01-02T15:04:05")})
	if err != nil {
		t.Fatal(err)
	}
	return owner, id
}
