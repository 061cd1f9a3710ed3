//! Departments and users in their wire shape
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/field-overview>).

use serde_json::{Value, json};

use super::data::{ContactData, DeptKind, UserKind, hex32};

impl ContactData {
    /// Department `d` as `departments/:id/children` lists it.
    pub(super) fn dept_json(&self, d: usize, uk: UserKind, dk: DeptKind) -> Value {
        let dept = &self.depts[d];
        let leader = dept.leader.map(|l| self.user_id(l, uk).to_owned());
        let leaders: Vec<Value> = leader
            .iter()
            .map(|l| json!({ "leaderType": 1, "leaderID": l }))
            .collect();
        json!({
            "name": dept.name,
            "i18n_name": { "zh_cn": dept.name, "ja_jp": "", "en_us": dept.en_name },
            "parent_department_id": self.dept_id(dept.parent, dk),
            "department_id": dept.custom_id,
            "open_department_id": dept.open_id,
            "leader_user_id": leader.clone().unwrap_or_default(),
            "chat_id": format!("oc_{}", hex32(0, 9, d)),
            "order": (d * 1000).to_string(),
            "unit_ids": [],
            "member_count": dept.member_count,
            "primary_member_count": dept.primary_member_count,
            "status": { "is_deleted": false },
            "leaders": leaders,
            "group_chat_employee_types": [1],
            "department_hrbps": [],
        })
    }

    /// User `u`'s email address (`<user_id>@example.com`).
    pub(super) fn email_of(&self, u: usize) -> String {
        format!("{}@example.com", self.users[u].user_id)
    }

    /// User `u`'s mobile number (`138` and the index, mainland style, no `+86`).
    pub(super) fn mobile_of(&self, u: usize) -> String {
        format!("138{u:08}")
    }

    /// User `u` as every user endpoint answers it (minus withheld fields).
    pub(super) fn user_json(&self, u: usize, uk: UserKind, dk: DeptKind) -> Value {
        let user = &self.users[u];
        let dept_ids: Vec<&str> = user.depts.iter().map(|&d| self.dept_id(d, dk)).collect();
        let orders: Vec<Value> = user
            .depts
            .iter()
            .enumerate()
            .map(|(n, &d)| {
                json!({
                    "department_id": self.dept_id(d, dk),
                    "user_order": 0,
                    "department_order": n + 1,
                    "is_primary_dept": n == 0,
                })
            })
            .collect();
        let avatar = format!("https://example.invalid/avatar/{}", user.open_id);
        let mut out = json!({
            "open_id": user.open_id,
            "union_id": user.union_id,
            "user_id": user.user_id,
            "name": user.name,
            "en_name": user.en_name,
            "nickname": "",
            "email": self.email_of(u),
            "enterprise_email": format!("{}@corp.example.com", user.user_id),
            "mobile": self.mobile_of(u),
            "mobile_visible": true,
            "gender": user.gender,
            "avatar": {
                "avatar_72": format!("{avatar}/72"),
                "avatar_240": format!("{avatar}/240"),
                "avatar_640": format!("{avatar}/640"),
                "avatar_origin": avatar,
            },
            "status": {
                "is_frozen": user.frozen,
                "is_resigned": user.resigned,
                "is_activated": !user.resigned,
                "is_exited": false,
                "is_unjoin": false,
            },
            "department_ids": dept_ids,
            "leader_user_id": user.leader.map(|l| self.user_id(l, uk).to_owned()).unwrap_or_default(),
            "orders": orders,
            "city": user.city,
            "country": "CN",
            "work_station": "",
            "join_time": user.join_time,
            "is_tenant_manager": u == 0,
            "employee_no": user.employee_no,
            "employee_type": user.employee_type,
            "job_title": user.job_title,
            "custom_attrs": [],
            "is_frozen": user.frozen,
        });
        if let Some(map) = out.as_object_mut() {
            for field in &self.withheld_user_fields {
                map.remove(field);
            }
        }
        out
    }
}
