package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/web"
)

// newAccountsCmd manages the web console's accounts.
func newAccountsCmd() *cobra.Command {
	cfg := &accountsConfig{}
	cmd := &cobra.Command{
		Use:   "accounts add|list|disable|enable|passwd",
		Short: "Manage the accounts of the web console",
		Long: `accounts manages who may sign in to the web console (the pages on
http.listen). Roles: administrator (everything), manager (the subtree of its
organisation, --org), operator (uploads, and the files of its organisation,
--org). Passwords (12 to 72 characters) are read from the terminal without
echo, or as one line from standard input, and stored as bcrypt hashes.
Bound to a loopback address with no active account, the console is open to
whoever is on the machine; once an account exists, everyone signs in.`,
	}
	cmd.PersistentFlags().StringVar(&cfg.file, "config", "", "configuration file (default: $RETURNS_CONFIG, else none)")
	cmd.AddCommand(newAccountAddCmd(cfg), newAccountListCmd(cfg),
		newAccountDisabledCmd(cfg, "disable", "Disable an account and end its sessions", true),
		newAccountDisabledCmd(cfg, "enable", "Enable a disabled account", false), newAccountPasswdCmd(cfg))
	return cmd
}

// accountsConfig is what the accounts commands share: the configuration
// file of the --config flag.
type accountsConfig struct{ file string }

// withStore loads the configuration and runs fn with the store of its
// database.
func (a *accountsConfig) withStore(c *cobra.Command, fn func(st *store.Store) error) error {
	cfg, err := loadConfig(a.file)
	if err != nil {
		return err
	}
	return withDatabase(c, cfg, func(db *database) error { return fn(db.store) })
}

// newAccountAddCmd is "accounts add": a new account with a role, an
// organisation for a manager or operator, and the password asked for.
func newAccountAddCmd(cfg *accountsConfig) *cobra.Command {
	var role, org string
	add := &cobra.Command{
		Use:   "add LOGIN --role administrator|manager|operator [--org CODE]",
		Short: "Add an account (the password is asked for)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			login := strings.ToLower(args[0])
			if err := checkAccountRole(role, org); err != nil {
				return err
			}
			hash, err := askPassword(c.InOrStdin(), c.ErrOrStderr())
			if err != nil {
				return usageError("%v", err)
			}
			return cfg.withStore(c, func(st *store.Store) error {
				if _, err := st.CreateAccount(c.Context(), login, role, org, hash); err != nil {
					return &exitError{code: ExitUsage, err: err}
				}
				fmt.Fprintf(c.OutOrStdout(), "account %s added (%s)\n", login, role)
				return nil
			})
		},
	}
	add.Flags().StringVar(&role, "role", "", "administrator, manager or operator")
	add.Flags().StringVar(&org, "org", "", "organisation code (managers and operators)")
	return add
}

// checkAccountRole is a usage error unless role is one of the roles and
// org is given exactly when the role needs it (a manager or operator).
func checkAccountRole(role, org string) error {
	switch role {
	case store.RoleAdministrator:
		if org != "" {
			return usageError("--org is for managers and operators: an administrator sees everything")
		}
	case store.RoleManager, store.RoleOperator:
		if org == "" {
			return usageError("--org CODE is required for a %s: the organisation whose subtree it sees", role)
		}
	default:
		return usageError("--role must be administrator, manager or operator, not %q", role)
	}
	return nil
}

// newAccountListCmd is "accounts list": every account with its role,
// organisation, state and creation date.
func newAccountListCmd(cfg *accountsConfig) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the accounts",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return cfg.withStore(c, func(st *store.Store) error {
				accs, err := st.Accounts(c.Context())
				if err != nil {
					return err
				}
				return printAccounts(c.OutOrStdout(), accs)
			})
		},
	}
}

// printAccounts writes the accounts as a table: login, role, organisation,
// state (active, disabled, locked until when) and creation date.
func printAccounts(w io.Writer, accs []store.Account) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tROLE\tORG\tSTATE\tCREATED")
	for _, a := range accs {
		state := "active"
		switch {
		case a.Disabled:
			state = "disabled"
		case a.LockedUntil.Valid && a.LockedUntil.Time.After(time.Now()):
			state = "locked until " + a.LockedUntil.Time.Format("02/01/2006 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Login, a.Role, a.ScopeOrg.String, state, a.CreatedAt.Format("02/01/2006"))
	}
	return tw.Flush()
}

// newAccountDisabledCmd is "accounts disable" or "accounts enable" (use):
// it sets whether an account is disabled.
func newAccountDisabledCmd(cfg *accountsConfig, use, short string, disabled bool) *cobra.Command {
	return &cobra.Command{
		Use: use + " LOGIN", Short: short, Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return cfg.withStore(c, func(st *store.Store) error {
				err := st.SetAccountDisabled(c.Context(), strings.ToLower(args[0]), disabled)
				if errors.Is(err, store.ErrNoAccount) {
					return usageError("no account %q", args[0])
				}
				if err == nil {
					fmt.Fprintf(c.OutOrStdout(), "account %s %sd\n", args[0], use)
				}
				return err
			})
		},
	}
}

// newAccountPasswdCmd is "accounts passwd": a new password for an account,
// asked for (which also unlocks it and ends its sessions).
func newAccountPasswdCmd(cfg *accountsConfig) *cobra.Command {
	return &cobra.Command{
		Use:   "passwd LOGIN",
		Short: "Set an account's password (also unlocks it and ends its sessions)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			hash, err := askPassword(c.InOrStdin(), c.ErrOrStderr())
			if err != nil {
				return usageError("%v", err)
			}
			return cfg.withStore(c, func(st *store.Store) error {
				err := st.SetPassword(c.Context(), strings.ToLower(args[0]), hash)
				if errors.Is(err, store.ErrNoAccount) {
					return usageError("no account %q", args[0])
				}
				if err == nil {
					fmt.Fprintf(c.OutOrStdout(), "password of %s set\n", args[0])
				}
				return err
			})
		},
	}
}

// askPassword reads a password: twice without echo from a terminal, else
// one line of in. It returns its hash.
func askPassword(in io.Reader, prompt io.Writer) (string, error) {
	var pw string
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(prompt, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		pw = string(a)
	} else {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	return web.HashPassword(pw)
}
