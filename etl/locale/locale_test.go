package locale

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFormats(t *testing.T) {
	t.Parallel()
	require.Equal(t, "4.046", Int("vi", 4046))
	require.Equal(t, "1.234.567", Int("vi", 1234567))
	require.Equal(t, "4,046", Int("en", 4046))
	require.Equal(t, "89,51%", Percent("vi", 89.5149))
	require.Equal(t, "89.51%", Percent("en", 89.51))
	require.Equal(t, "Quý III/2025", Quarter("vi", 2025, 3))
	require.Equal(t, "Q1 2024", Quarter("en", 2024, 1))
	require.Equal(t, "05/03/2025", Date(time.Date(2025, 3, 5, 0, 0, 0, 0, time.UTC)))
	require.Equal(t, "06/03/2025 01:30", DateTime(time.Date(2025, 3, 5, 18, 30, 0, 0, time.UTC), time.FixedZone("ICT", 7*60*60)), "Vietnam time, UTC+7")
}
