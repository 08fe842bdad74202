package schemas

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFS(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"bcq-1.yaml", "bcq-1/thongtin.yaml", "bcq-1/ketnap.yaml", "bcq-1/chuyensinhhoat.yaml",
		"bcq-1/giamsat.yaml", "bcq-1/kyluat.yaml", "codelists/ethnicity.yaml", "codelists/gender.yaml"} {
		_, err := fs.Stat(FS, f)
		require.NoError(t, err, f)
	}
	lists, err := fs.Glob(FS, "codelists/*.yaml")
	require.NoError(t, err)
	require.Len(t, lists, 22)
}
