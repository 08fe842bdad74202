package generate

import (
	"math/rand/v2"
	"strings"
)

// Family names, weighted roughly as in Vietnam (Nguyễn first by far).
var familyNames = []struct {
	name   string
	weight int
}{
	{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9}, {"Phạm", 7}, {"Hoàng", 5}, {"Huỳnh", 4}, {"Phan", 4},
	{"Vũ", 4}, {"Võ", 3}, {"Đặng", 2}, {"Bùi", 2}, {"Đỗ", 2}, {"Hồ", 2}, {"Ngô", 2}, {"Dương", 1},
	{"Lý", 1}, {"Đinh", 1}, {"Trịnh", 1}, {"Đoàn", 1}, {"Lương", 1}, {"Mai", 1}, {"Tạ", 1},
}

var (
	maleMiddle   = []string{"Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Đình", "Ngọc", "Quang", "Trọng", "Thế", "Bá", "Gia", "Hoàng"}
	femaleMiddle = []string{"Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Phương", "Kim", "Mỹ", "Bảo", "Diệu", "Hải", "Khánh", "Thùy"}
	maleGiven    = []string{"An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Định", "Đức", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khải", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Lợi", "Mạnh", "Minh", "Nam", "Nghĩa", "Ngọc", "Nhân", "Phát", "Phong", "Phúc", "Quân", "Quang", "Quý", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thịnh", "Thông", "Tiến", "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Xuân"}
	femaleGiven  = []string{"An", "Anh", "Ánh", "Bích", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huệ", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phượng", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thơ", "Thủy", "Thư", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến"}
)

// personName returns a Vietnamese full name for gender ("Nam"/"Nữ"): family, middle, given,
// sometimes with a second middle name.
func personName(r *rand.Rand, gender string) string {
	total := 0
	for _, f := range familyNames {
		total += f.weight
	}
	n := r.IntN(total)
	family := familyNames[0].name
	for _, f := range familyNames {
		if n < f.weight {
			family = f.name
			break
		}
		n -= f.weight
	}
	parts := []string{family}
	if gender == "Nữ" {
		parts = append(parts, pick(r, femaleMiddle))
		if r.IntN(6) == 0 {
			parts = append(parts, pick(r, femaleMiddle[3:]))
		}
		parts = append(parts, pick(r, femaleGiven))
	} else {
		parts = append(parts, pick(r, maleMiddle))
		if r.IntN(8) == 0 {
			parts = append(parts, pick(r, maleMiddle[3:]))
		}
		parts = append(parts, pick(r, maleGiven))
	}
	// avoid "Thị Thị" or "Văn Văn"
	for i := 2; i < len(parts); i++ {
		if parts[i] == parts[i-1] {
			parts = append(parts[:i], parts[i+1:]...)
			i--
		}
	}
	return strings.Join(parts, " ")
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
